import { excerpt, type Severity } from './scan-report';

/**
 * Server-side template injection in Jinja chat templates (GGUF `tokenizer.chat_template`, tokenizer_config.json):
 * the sandbox escapes published so far all walk Python object internals. Legitimate chat templates loop over
 * messages, test roles and join strings; none need dunder attributes, the attr filter, imports or escapes
 * that spell an underscore.
 */
interface TemplateRule {
  rule: string;
  severity: Severity;
  pattern: RegExp;
  what: string;
}

const RULES: TemplateRule[] = [
  {
    rule: 'chat-template-dunder',
    severity: 'CRITICAL',
    pattern: /__(globals|subclasses|builtins|import|class|mro|bases?|init|dict|getattribute|code|func|self|loader|spec|reduce|reduce_ex|getitem|module)__/,
    what: 'reaches Python object internals',
  },
  { rule: 'chat-template-internals', severity: 'CRITICAL', pattern: /_TemplateReference__context|\bmro\s*\(|\bpopen\b|\bsubprocess\b|\bos\.system\b|\beval\s*\(|\bexec\s*\(/, what: 'names interpreter internals or shell access' },
  { rule: 'chat-template-attr-filter', severity: 'HIGH', pattern: /\|\s*attr\s*\(|\battr\s*\(\s*['"]/, what: 'uses the attr filter (the usual way around the sandbox)' },
  { rule: 'chat-template-escaped-underscore', severity: 'HIGH', pattern: /\\x5f|\\u005f|\\137|\\U0000005f/i, what: 'spells an underscore with an escape' },
  { rule: 'chat-template-import', severity: 'HIGH', pattern: /\{%-?\s*(import|include|extends|from)\b/, what: 'imports or includes another template' },
  { rule: 'chat-template-globals', severity: 'MEDIUM', pattern: /\b(lipsum|cycler|joiner|self|request|config|url_for|get_flashed_messages)\s*[.([]/, what: 'touches a Jinja global object' },
];

export interface TemplateHit {
  rule: string;
  severity: Severity;
  message: string;
  index: number;
}

export function checkChatTemplate(template: string): TemplateHit[] {
  const hits: TemplateHit[] = [];
  for (const r of RULES) {
    const m = r.pattern.exec(template);
    if (m) hits.push({ rule: r.rule, severity: r.severity, message: `chat template ${r.what}: "${excerpt(m[0], 40)}"`, index: m.index });
  }
  return hits;
}
