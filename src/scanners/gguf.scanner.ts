import { MalformedArtifactError, NeedMoreBytesError } from '../domain/artifacts/artifact.errors';
import { type GgufSummary, parseGgufHeader } from '../domain/artifacts/gguf-header';
import { checkChatTemplate } from '../domain/scanning/chat-template-rules';
import { GGML_MAX_DIMS, GGUF_DEFAULT_ALIGNMENT, ggmlType } from '../domain/scanning/ggml-types';
import { excerpt } from '../domain/scanning/scan-report';
import { type FileContext, readRange, unscannable } from './file-context';

const FIRST_READ = 1024 * 1024;

/** The shared header parser, fed a growing prefix until it has the whole header (bounded by maxHeaderBytes). */
async function readHeader(ctx: FileContext): Promise<GgufSummary | string> {
  let length = Math.min(FIRST_READ, ctx.size);
  for (;;) {
    const prefix = await readRange(ctx, 0, length);
    try {
      return parseGgufHeader(ctx.name, prefix, ctx.size);
    } catch (error) {
      if (error instanceof MalformedArtifactError) return error.message.slice(ctx.name.length + 2);
      if (!(error instanceof NeedMoreBytesError)) throw error;
      if (length >= ctx.limits.maxHeaderBytes) return `header is larger than ${ctx.limits.maxHeaderBytes} bytes`;
      length = Math.min(Math.max(error.needed, length * 2), ctx.limits.maxHeaderBytes, ctx.size);
    }
  }
}

function tensorProblem(t: GgufSummary['tensors'][number], alignment: bigint, dataSize: bigint): string | null {
  const type = ggmlType(t.type);
  const name = `tensor "${excerpt(t.name, 60)}"`;
  if (!type) return `${name} has unknown ggml type ${t.type}`;
  if (t.dims.length === 0 || t.dims.length > GGML_MAX_DIMS) return `${name} has ${t.dims.length} dimensions`;
  if (t.dims.some((d) => d === 0n || d > 1n << 40n)) return `${name} has an impossible dimension`;
  if (t.dims[0]! % BigInt(type.blockSize) !== 0n) return `${name}: first dimension ${t.dims[0]} is not a multiple of the ${type.name} block size`;
  if (t.offset % alignment !== 0n) return `${name} offset ${t.offset} is not aligned to ${alignment}`;
  const elements = t.dims.reduce((n, d) => n * d, 1n);
  const bytes = (elements / BigInt(type.blockSize)) * BigInt(type.typeSize);
  if (t.offset + bytes > dataSize) return `${name} [${t.offset}, ${t.offset + bytes}) runs past the data section (${dataSize} bytes)`;
  return null;
}

/** Structure (magic, version, counts, KV types, tensor types/dims/offsets inside the file) and chat templates. */
export async function scanGguf(ctx: FileContext): Promise<void> {
  const fail = (message: string, offset: number | null = 0) => unscannable(ctx, 'gguf', 'malformed', offset, `gguf: ${excerpt(message, 240)}`);
  const header = await readHeader(ctx);
  if (typeof header === 'string') return fail(header);
  if (header.duplicateKeys.length > 0) return fail(`metadata key "${header.duplicateKeys[0]}" appears twice`);
  const declaredAlignment = header.metadata['general.alignment'];
  const alignment = BigInt(declaredAlignment ?? GGUF_DEFAULT_ALIGNMENT);
  if (typeof declaredAlignment !== 'undefined' && typeof declaredAlignment !== 'number') return fail('general.alignment is not a uint32');
  if (alignment === 0n || (alignment & (alignment - 1n)) !== 0n) return fail(`alignment ${alignment} is not a power of two`);
  const dataStart = ((BigInt(header.headerLength) + alignment - 1n) / alignment) * alignment;
  if (dataStart > BigInt(ctx.size)) return fail('data section starts past the end of the file');
  const dataSize = BigInt(ctx.size) - dataStart;
  const names = new Set<string>();
  const spans: [bigint, bigint, string][] = [];
  for (const t of header.tensors) {
    if (names.has(t.name)) return fail(`tensor "${t.name}" appears twice`);
    names.add(t.name);
    const problem = tensorProblem(t, alignment, dataSize);
    if (problem) return fail(problem);
    const type = ggmlType(t.type)!;
    const bytes = (t.dims.reduce((n, d) => n * d, 1n) / BigInt(type.blockSize)) * BigInt(type.typeSize);
    spans.push([t.offset, t.offset + bytes, t.name]);
  }
  spans.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) return fail(`tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap`);
  }
  for (const [key, value] of Object.entries(header.metadata)) {
    if (!key.startsWith('tokenizer.chat_template') || typeof value !== 'string') continue;
    for (const hit of checkChatTemplate(value)) ctx.sink.add('gguf', hit.severity, hit.rule, null, `${excerpt(key, 60)}: ${hit.message}`);
  }
}
