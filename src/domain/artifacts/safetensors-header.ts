import { MalformedArtifactError, NeedMoreBytesError } from './artifact.errors';
import { bytesPerElement } from './dtype';

export interface SafetensorsSummary {
  headerLength: number;
  tensorCount: number;
  parameterCount: bigint;
  /** Parameters per dtype, e.g. { BF16: 8030261248n }. */
  dtypes: Record<string, bigint>;
  metadata: Record<string, string>;
}

/** The format caps the header at 100 MB; anything larger is a hostile or broken file. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;
/** Tensors have a handful of dimensions; the parameter total must fit a bigint column. */
const MAX_DIMS = 16;
const MAX_PARAMETERS = (1n << 63n) - 1n;

/** Names come from the file: bounded before they reach a message (and the statusReason column). */
function shown(name: string): string {
  return name.length > 120 ? `${name.slice(0, 120)}…` : name;
}

interface TensorEntry {
  dtype?: unknown;
  shape?: unknown;
  data_offsets?: unknown;
}

/**
 * Validates a safetensors header: 8-byte little-endian length, then that many bytes of JSON mapping
 * tensor names to dtype, shape and data offsets. Offsets must tile the data section exactly and each
 * tensor's byte length must equal its element count times its dtype size.
 */
export function parseSafetensorsHeader(path: string, prefix: Buffer, fileSize: number): SafetensorsSummary {
  if (fileSize < 8) throw new MalformedArtifactError(path, 'too short to be a safetensors file');
  if (prefix.length < 8) throw new NeedMoreBytesError(8);
  const declared = prefix.readBigUInt64LE(0);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER) || declared + 8n > BigInt(fileSize)) {
    throw new MalformedArtifactError(path, `header length ${declared} is impossible for a ${fileSize}-byte file`);
  }
  const headerLength = Number(declared);
  if (prefix.length < 8 + headerLength) throw new NeedMoreBytesError(8 + headerLength);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(prefix.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new MalformedArtifactError(path, 'header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new MalformedArtifactError(path, 'header is not a JSON object');
  }
  const dataSize = fileSize - 8 - headerLength;
  // Keyed by validated dtype names only, but without a prototype all the same.
  const dtypes = Object.create(null) as Record<string, bigint>;
  const spans: [number, number][] = [];
  let parameterCount = 0n;
  let tensorCount = 0;
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (raw ?? {}) as TensorEntry;
    const size = typeof dtype === 'string' ? bytesPerElement(dtype) : null;
    if (size === null) throw new MalformedArtifactError(path, `tensor "${shown(name)}" has unknown dtype ${JSON.stringify(dtype)?.slice(0, 40)}`);
    if (!Array.isArray(shape) || shape.length > MAX_DIMS || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new MalformedArtifactError(path, `tensor "${shown(name)}" has an invalid shape`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new MalformedArtifactError(path, `tensor "${shown(name)}" has invalid data_offsets`);
    }
    const [start, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((n, d) => n * BigInt(d), 1n);
    if (end < start || end > dataSize || BigInt(end - start) * 4n !== elements * BigInt(size * 4)) {
      throw new MalformedArtifactError(path, `tensor "${shown(name)}" data_offsets [${start}, ${end}] do not match its ${dtype} shape [${shape.join(', ')}]`);
    }
    spans.push([start, end]);
    dtypes[dtype as string] = (dtypes[dtype as string] ?? 0n) + elements;
    parameterCount += elements;
    tensorCount += 1;
  }
  if (parameterCount > MAX_PARAMETERS) throw new MalformedArtifactError(path, `tensors hold ${parameterCount} parameters, more than any model can`);
  spans.sort((a, b) => a[0] - b[0]);
  let cursor = 0;
  for (const [start, end] of spans) {
    if (start !== cursor) throw new MalformedArtifactError(path, `tensor data overlaps or leaves a gap at byte ${start}`);
    cursor = end;
  }
  if (cursor !== dataSize) throw new MalformedArtifactError(path, `tensor data covers ${cursor} of ${dataSize} bytes`);
  return { headerLength, tensorCount, parameterCount, dtypes, metadata: stringMap(header.__metadata__) };
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}
