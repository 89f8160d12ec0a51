import { checkChatTemplate } from '../domain/scanning/chat-template-rules';
import { type FileContext, readRange, unscannable } from './file-context';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function templatesOf(json: unknown): string[] {
  if (typeof json !== 'object' || json === null) return [];
  const value = Object.hasOwn(json, 'chat_template') ? (json as { chat_template: unknown }).chat_template : undefined;
  if (typeof value === 'string') return [value];
  // tokenizer_config.json may hold named templates: [{ name, template }, …]
  if (Array.isArray(value)) return value.flatMap((t: unknown) => (typeof t === 'object' && t !== null && typeof (t as { template?: unknown }).template === 'string' ? [(t as { template: string }).template] : []));
  return [];
}

/** tokenizer_config.json / chat_template.json / *.jinja: the Jinja chat templates transformers renders. */
export async function scanTemplateFile(ctx: FileContext): Promise<void> {
  if (ctx.size > ctx.limits.maxHeaderBytes) return unscannable(ctx, 'template', 'limit', null, `${ctx.size} bytes (limit ${ctx.limits.maxHeaderBytes})`);
  let text: string;
  try {
    text = STRICT_UTF8.decode(await readRange(ctx, 0, ctx.size));
  } catch {
    return unscannable(ctx, 'template', 'malformed', null, 'not valid UTF-8');
  }
  let templates: string[];
  if (ctx.name.toLowerCase().endsWith('.jinja')) templates = [text];
  else {
    try {
      templates = templatesOf(JSON.parse(text));
    } catch {
      return unscannable(ctx, 'template', 'malformed', null, 'not valid JSON');
    }
  }
  for (const template of templates) {
    for (const hit of checkChatTemplate(template)) ctx.sink.add('template', hit.severity, hit.rule, null, hit.message);
  }
}
