import { MalformedArtifactError, NeedMoreBytesError } from './artifact.errors';

export interface GgufSummary {
  version: number;
  tensorCount: number;
  parameterCount: bigint;
  architecture: string | null;
  contextLength: number | null;
  /** general.file_type as its llama.cpp name (Q4_K_M, F16, …). */
  quantization: string | null;
  name: string | null;
  metadata: Record<string, string | number | boolean | bigint>;
  /** Tensor infos as declared (the security scanner checks their types, sizes and offsets). */
  tensors: GgufTensorInfo[];
  /** Bytes from the start of the file to the end of the tensor infos (the data section starts aligned after it). */
  headerLength: number;
  /** Metadata keys that appear more than once (llama.cpp refuses such files). */
  duplicateKeys: string[];
}

export interface GgufTensorInfo {
  name: string;
  dims: bigint[];
  type: number;
  offset: bigint;
}

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
const MAX_STRING = 1 << 24;
const MAX_COUNT = 1n << 32n;
/** Real files nest arrays one deep (vocabularies, merges); a hostile one nests 30,000 deep to blow the stack. */
const MAX_ARRAY_DEPTH = 4;
/** Largest array in real files: vocabularies of a few hundred thousand tokens. */
const MAX_ARRAY_ITEMS = 1 << 24;
/** Metadata entries and tensors: real files have hundreds to a few thousand. */
const MAX_ENTRIES = 1 << 20;
const MAX_KEY = 65_535;
/** Values that reach columns: an architecture name is a short identifier; context lengths fit an int4. */
export const MAX_ARCHITECTURE = 128;
const MAX_CONTEXT = 2_147_483_647;
const MAX_PARAMETERS = (1n << 63n) - 1n;

// llama.cpp's llama_ftype numbering (general.file_type).
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S',
  12: 'Q3_K_M', 13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K',
  19: 'IQ2_XXS', 20: 'IQ2_XS', 21: 'Q2_K_S', 22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL',
  26: 'IQ3_S', 27: 'IQ3_M', 28: 'IQ2_S', 29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16',
  36: 'TQ1_0', 37: 'TQ2_0',
};

type Scalar = string | number | boolean | bigint;

/** A bounds-checked little-endian reader: running past the prefix asks for more bytes. */
class Reader {
  offset = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly path: string,
    private readonly fileSize: number,
  ) {}

  private need(n: number): void {
    if (this.offset + n > this.fileSize) throw new MalformedArtifactError(this.path, 'header runs past the end of the file');
    if (this.offset + n > this.buf.length) throw new NeedMoreBytesError(this.offset + n);
  }

  u8() { this.need(1); return this.buf.readUInt8(this.offset++); }
  u32() { this.need(4); const v = this.buf.readUInt32LE(this.offset); this.offset += 4; return v; }
  u64() { this.need(8); const v = this.buf.readBigUInt64LE(this.offset); this.offset += 8; return v; }

  count(what: string): number {
    const n = this.u64();
    if (n > MAX_COUNT) throw new MalformedArtifactError(this.path, `${what} count ${n} is implausible`);
    return Number(n);
  }

  string(max = MAX_STRING): string {
    const length = this.count('string length');
    if (length > max) throw new MalformedArtifactError(this.path, `string of ${length} bytes in header (at most ${max})`);
    this.need(length);
    const value = this.buf.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  value(type: number, depth = 0): Scalar | null {
    switch (type) {
      case 0: return this.u8();
      case 1: this.need(1); return this.buf.readInt8(this.offset++);
      case 2: this.need(2); this.offset += 2; return this.buf.readUInt16LE(this.offset - 2);
      case 3: this.need(2); this.offset += 2; return this.buf.readInt16LE(this.offset - 2);
      case 4: return this.u32();
      case 5: this.need(4); this.offset += 4; return this.buf.readInt32LE(this.offset - 4);
      case 6: this.need(4); this.offset += 4; return this.buf.readFloatLE(this.offset - 4);
      case 7: return this.u8() !== 0;
      case 8: return this.string();
      case 9: {
        // Arrays (vocabularies, merges) are skipped, not kept: they can hold hundreds of thousands of entries.
        if (depth >= MAX_ARRAY_DEPTH) throw new MalformedArtifactError(this.path, `arrays nested more than ${MAX_ARRAY_DEPTH} deep`);
        const itemType = this.u32();
        const n = this.count('array');
        if (n > MAX_ARRAY_ITEMS) throw new MalformedArtifactError(this.path, `array of ${n} items (at most ${MAX_ARRAY_ITEMS})`);
        for (let i = 0; i < n; i++) this.value(itemType, depth + 1);
        return null;
      }
      case 10: return this.u64();
      case 11: this.need(8); this.offset += 8; return this.buf.readBigInt64LE(this.offset - 8);
      case 12: this.need(8); this.offset += 8; return this.buf.readDoubleLE(this.offset - 8);
      default: throw new MalformedArtifactError(this.path, `unknown metadata value type ${type}`);
    }
  }
}

/** Parses the GGUF header (v2/v3): metadata key/values and tensor infos, up to the tensor data. */
export function parseGgufHeader(path: string, prefix: Buffer, fileSize: number): GgufSummary {
  const r = new Reader(prefix, path, fileSize);
  if (r.u32() !== GGUF_MAGIC) throw new MalformedArtifactError(path, 'not a GGUF file (bad magic)');
  const version = r.u32();
  if (version < 2 || version > 3) throw new MalformedArtifactError(path, `unsupported GGUF version ${version}`);
  const tensorCount = r.count('tensor');
  const kvCount = r.count('metadata');
  if (tensorCount > MAX_ENTRIES || kvCount > MAX_ENTRIES) {
    throw new MalformedArtifactError(path, `${tensorCount} tensors and ${kvCount} metadata entries (at most ${MAX_ENTRIES} each)`);
  }
  // Keys are the file's: no prototype, so "__proto__" or "constructor" is just another key.
  const metadata = Object.create(null) as Record<string, Scalar>;
  const keys = new Set<string>();
  const duplicateKeys: string[] = [];
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(MAX_KEY);
    if (keys.has(key) && duplicateKeys.length < 10) duplicateKeys.push(key);
    keys.add(key);
    const value = r.value(r.u32());
    if (value !== null) metadata[key] = value;
  }
  let parameterCount = 0n;
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string();
    const dims = r.u32();
    if (dims > 8) throw new MalformedArtifactError(path, `tensor with ${dims} dimensions`);
    let elements = 1n;
    const shape: bigint[] = [];
    for (let d = 0; d < dims; d++) {
      shape.push(r.u64());
      elements *= shape[d]!;
    }
    const type = r.u32();
    const offset = r.u64();
    tensors.push({ name, dims: shape, type, offset });
    parameterCount += elements;
  }
  const architecture = typeof metadata['general.architecture'] === 'string' ? metadata['general.architecture'] : null;
  if (architecture !== null && (architecture.length === 0 || architecture.length > MAX_ARCHITECTURE)) {
    throw new MalformedArtifactError(path, `general.architecture is ${architecture.length} characters long (1 to ${MAX_ARCHITECTURE})`);
  }
  if (parameterCount > MAX_PARAMETERS) throw new MalformedArtifactError(path, `tensors hold ${parameterCount} parameters, more than any model can`);
  const ctx = architecture ? metadata[`${architecture}.context_length`] : undefined;
  const contextLength = ctx === undefined ? null : typeof ctx === 'number' || typeof ctx === 'bigint' ? Number(ctx) : NaN;
  if (contextLength !== null && (!Number.isInteger(contextLength) || contextLength < 1 || contextLength > MAX_CONTEXT)) {
    throw new MalformedArtifactError(path, `${architecture}.context_length ${String(ctx).slice(0, 40)} is not a length between 1 and ${MAX_CONTEXT}`);
  }
  const fileType = metadata['general.file_type'];
  return {
    version,
    tensorCount,
    parameterCount,
    architecture,
    contextLength,
    quantization: fileType === undefined ? null : (FILE_TYPES[Number(fileType)] ?? `TYPE_${String(fileType)}`),
    name: typeof metadata['general.name'] === 'string' ? metadata['general.name'].slice(0, 256) : null,
    metadata,
    tensors,
    headerLength: r.offset,
    duplicateKeys,
  };
}
