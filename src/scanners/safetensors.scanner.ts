import { MalformedArtifactError } from '../domain/artifacts/artifact.errors';
import { bytesPerElement } from '../domain/artifacts/dtype';
import { MAX_SAFETENSORS_HEADER, parseSafetensorsHeader } from '../domain/artifacts/safetensors-header';
import { excerpt } from '../domain/scanning/scan-report';
import { type FileContext, readRange, unscannable } from './file-context';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const TENSOR_KEYS = 'data_offsets,dtype,shape';

/** The checks the shared header parser leaves loose (it also serves lenient metadata reading). */
function strictHeaderProblem(header: unknown): string | null {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'header is not a JSON object';
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return '__metadata__ is not an object';
      const bad = Object.entries(entry).find(([, v]) => typeof v !== 'string');
      if (bad) return `__metadata__ value "${excerpt(bad[0], 40)}" is not a string`;
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `tensor "${excerpt(name, 40)}" is not an object`;
    const keys = Object.keys(entry).sort().join(',');
    if (keys !== TENSOR_KEYS) return `tensor "${excerpt(name, 40)}" has keys ${excerpt(keys, 60)}`;
    const dtype = (entry as { dtype: unknown }).dtype;
    // Only the format's own upper-case names; the shared table also accepts torch aliases for config.json.
    if (typeof dtype !== 'string' || !/^[A-Z0-9_]+$/.test(dtype) || bytesPerElement(dtype) === null) {
      return `tensor "${excerpt(name, 40)}" has unknown dtype ${excerpt(String(dtype), 20)}`;
    }
  }
  return null;
}

/** Header only: 8-byte length, strict UTF-8 JSON, then offsets checked against the file size. */
export async function scanSafetensors(ctx: FileContext): Promise<void> {
  const fail = (message: string) => unscannable(ctx, 'safetensors', 'malformed', 0, `safetensors: ${message}`);
  if (ctx.size < 8) return fail('shorter than its 8-byte header length');
  const declared = (await readRange(ctx, 0, 8)).readBigUInt64LE(0);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER)) return fail(`header length ${declared} exceeds the format's 100 MB cap`);
  if (declared + 8n > BigInt(ctx.size)) return fail(`header length ${declared} runs past the end of the ${ctx.size}-byte file`);
  const length = Number(declared);
  const raw = await readRange(ctx, 8, length);
  let header: unknown;
  try {
    const text = STRICT_UTF8.decode(raw);
    if (!text.startsWith('{')) return fail('header does not start with {');
    header = JSON.parse(text);
  } catch {
    return fail('header is not valid UTF-8 JSON');
  }
  const problem = strictHeaderProblem(header);
  if (problem) return fail(problem);
  try {
    const prefix = Buffer.concat([Buffer.alloc(8), raw]);
    prefix.writeBigUInt64LE(declared, 0);
    parseSafetensorsHeader(ctx.name, prefix, ctx.size);
  } catch (error) {
    if (!(error instanceof MalformedArtifactError)) throw error;
    return fail(excerpt(error.message.slice(ctx.name.length + 2), 240));
  }
}
