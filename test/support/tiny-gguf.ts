import { writeFile } from 'node:fs/promises';

/**
 * A tiny llama-architecture GGUF v3 model with deterministic F32 weights and an SPM vocabulary (byte fallback
 * <0x00>..<0xFF>, control tokens, single characters and a few words with every prefix so the SPM merges reach
 * them), small enough to write per test run and to run on a CPU at thousands of tokens per second.
 *
 * test/fixtures/gguf-files.ts writes GGUF headers for the scanners with filler data; this one has to be a model
 * llama.cpp actually runs, so it carries typed arrays, float metadata and real weights.
 *
 * The weights are random but steered: every embedding has a large constant first component, and the output
 * projection weighs that component +OUT_BIAS for the "word" tokens and −OUT_BIAS for all others. After the final
 * RMS norm that component dominates, so greedy or sampled generation only ever yields words: each generated
 * token detokenizes to visible text and generation never stops early on </s>, which makes the number of
 * streamed chunks equal the number of generated tokens (what the smoke test checks against `usage`).
 */
export const TINY_MODEL = { embedding: 64, blocks: 2, heads: 4, feedForward: 128, contextLength: 1024 } as const;

/** Words the model generates (with the SentencePiece space marker). */
export const TINY_WORDS = [
  'alpha', 'beta', 'gamma', 'delta', 'model', 'token', 'stream', 'bench', 'tiny', 'llama', 'cpu', 'fast',
  'hub', 'graph', 'query', 'vector', 'tensor', 'weight', 'layer', 'block', 'paris', 'oslo', 'rome', 'yes', 'no',
].map((w) => `\u2581${w}`);

const OUT_BIAS = 8;
const EMBED_BIAS = 8;

enum TokenType { NORMAL = 1, UNKNOWN = 2, CONTROL = 3, BYTE = 6 }
enum ValueType { U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9 }
const GGML_F32 = 0;
const ALIGNMENT = 32;

type Value =
  | { t: ValueType.U32 | ValueType.I32 | ValueType.F32; v: number }
  | { t: ValueType.BOOL; v: boolean }
  | { t: ValueType.STRING; v: string }
  | { t: ValueType.ARRAY; of: ValueType.STRING; v: string[] }
  | { t: ValueType.ARRAY; of: ValueType.F32 | ValueType.I32; v: number[] };

/** Deterministic generator (mulberry32) and normal deviates (Box–Muller): the same file on every run. */
function gaussian(seed: number): (std: number) => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (std) => std * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function vocabulary(): { tokens: string[]; scores: number[]; types: number[]; words: Set<number> } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL];
  for (let b = 0; b < 256; b += 1) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(TokenType.BYTE);
  }
  const pieces = new Set<string>(['\u2581']);
  for (let c = 0x21; c < 0x7f; c += 1) pieces.add(String.fromCharCode(c));
  for (const word of TINY_WORDS) for (let end = 2; end <= word.length; end += 1) pieces.add(word.slice(0, end));
  const first = tokens.length;
  for (const piece of pieces) {
    tokens.push(piece);
    types.push(TokenType.NORMAL);
  }
  // SPM merges the adjacent pair whose union scores highest: longer pieces first.
  const scores = tokens.map((piece, id) => (id < first ? 0 : piece.length - id / 1e4));
  const words = new Set(TINY_WORDS.map((w) => tokens.indexOf(w)));
  return { tokens, scores, types, words };
}

function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; }
function u64(n: number): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }
function str(s: string): Buffer { const bytes = Buffer.from(s, 'utf8'); return Buffer.concat([u64(bytes.length), bytes]); }
function scalar(t: ValueType, v: number): Buffer {
  const b = Buffer.alloc(4);
  if (t === ValueType.F32) b.writeFloatLE(v); else if (t === ValueType.I32) b.writeInt32LE(v); else b.writeUInt32LE(v);
  return b;
}

function encode(value: Value): Buffer {
  switch (value.t) {
    case ValueType.STRING: return Buffer.concat([u32(value.t), str(value.v)]);
    case ValueType.BOOL: return Buffer.concat([u32(value.t), Buffer.from([value.v ? 1 : 0])]);
    case ValueType.ARRAY: {
      const items = value.of === ValueType.STRING ? value.v.map(str) : value.v.map((n) => scalar(value.of, n));
      return Buffer.concat([u32(value.t), u32(value.of), u64(value.v.length), ...items]);
    }
    default: return Buffer.concat([u32(value.t), scalar(value.t, value.v)]);
  }
}

interface Tensor { name: string; dims: number[]; data: Float32Array }

function tensors(vocab: ReturnType<typeof vocabulary>): Tensor[] {
  const { embedding: d, blocks, feedForward: ff } = TINY_MODEL;
  const n = vocab.tokens.length;
  const normal = gaussian(0x5eed);
  const random = (dims: number[], std: number) => ({ dims, data: Float32Array.from({ length: dims[0] * dims[1] }, () => normal(std)) });
  const ones = () => ({ dims: [d], data: new Float32Array(d).fill(1) });
  // ggml's first dimension is the contiguous one: token t's embedding (and output row) is floats [t*d, (t+1)*d).
  const embd = random([d, n], 1);
  const output = random([d, n], 0.1);
  for (let t = 0; t < n; t += 1) {
    embd.data[t * d] = EMBED_BIAS;
    output.data[t * d] = vocab.words.has(t) ? OUT_BIAS : -OUT_BIAS;
  }
  const list: Tensor[] = [{ name: 'token_embd.weight', ...embd }, { name: 'output_norm.weight', ...ones() }, { name: 'output.weight', ...output }];
  for (let b = 0; b < blocks; b += 1) {
    const p = `blk.${b}.`;
    list.push(
      { name: `${p}attn_norm.weight`, ...ones() },
      { name: `${p}attn_q.weight`, ...random([d, d], 0.2) },
      { name: `${p}attn_k.weight`, ...random([d, d], 0.2) },
      { name: `${p}attn_v.weight`, ...random([d, d], 0.2) },
      // Small projections back into the residual stream keep the steering component dominant.
      { name: `${p}attn_output.weight`, ...random([d, d], 0.05) },
      { name: `${p}ffn_norm.weight`, ...ones() },
      { name: `${p}ffn_gate.weight`, ...random([d, ff], 0.2) },
      { name: `${p}ffn_up.weight`, ...random([d, ff], 0.2) },
      { name: `${p}ffn_down.weight`, ...random([ff, d], 0.05) },
    );
  }
  return list;
}

/** The GGUF bytes of the tiny model (about 300 KB). */
export function tinyLlamaGguf(): Buffer {
  const vocab = vocabulary();
  const { embedding, blocks, heads, feedForward, contextLength } = TINY_MODEL;
  const kv: [string, Value][] = [
    ['general.architecture', { t: ValueType.STRING, v: 'llama' }],
    ['general.name', { t: ValueType.STRING, v: 'modelhub-tiny-test-llama' }],
    ['llama.context_length', { t: ValueType.U32, v: contextLength }],
    ['llama.embedding_length', { t: ValueType.U32, v: embedding }],
    ['llama.block_count', { t: ValueType.U32, v: blocks }],
    ['llama.feed_forward_length', { t: ValueType.U32, v: feedForward }],
    ['llama.attention.head_count', { t: ValueType.U32, v: heads }],
    ['llama.attention.head_count_kv', { t: ValueType.U32, v: heads }],
    ['llama.rope.dimension_count', { t: ValueType.U32, v: embedding / heads }],
    ['llama.attention.layer_norm_rms_epsilon', { t: ValueType.F32, v: 1e-5 }],
    ['general.file_type', { t: ValueType.U32, v: 0 }],
    ['tokenizer.ggml.model', { t: ValueType.STRING, v: 'llama' }],
    ['tokenizer.ggml.tokens', { t: ValueType.ARRAY, of: ValueType.STRING, v: vocab.tokens }],
    ['tokenizer.ggml.scores', { t: ValueType.ARRAY, of: ValueType.F32, v: vocab.scores }],
    ['tokenizer.ggml.token_type', { t: ValueType.ARRAY, of: ValueType.I32, v: vocab.types }],
    ['tokenizer.ggml.unknown_token_id', { t: ValueType.U32, v: 0 }],
    ['tokenizer.ggml.bos_token_id', { t: ValueType.U32, v: 1 }],
    ['tokenizer.ggml.eos_token_id', { t: ValueType.U32, v: 2 }],
    ['tokenizer.ggml.add_bos_token', { t: ValueType.BOOL, v: true }],
    ['tokenizer.ggml.add_eos_token', { t: ValueType.BOOL, v: false }],
  ];
  const list = tensors(vocab);
  let offset = 0;
  const infos = list.map((t) => {
    const info = Buffer.concat([str(t.name), u32(t.dims.length), ...t.dims.map(u64), u32(GGML_F32), u64(offset)]);
    offset += Math.ceil(t.data.byteLength / ALIGNMENT) * ALIGNMENT;
    return info;
  });
  const header = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(list.length), u64(kv.length), ...kv.map(([k, v]) => Buffer.concat([str(k), encode(v)])), ...infos]);
  const parts: Buffer[] = [header, Buffer.alloc((ALIGNMENT - (header.length % ALIGNMENT)) % ALIGNMENT)];
  for (const t of list) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    parts.push(bytes, Buffer.alloc((ALIGNMENT - (bytes.length % ALIGNMENT)) % ALIGNMENT));
  }
  return Buffer.concat(parts);
}

export async function writeTinyLlamaGguf(file: string): Promise<string> {
  await writeFile(file, tinyLlamaGguf());
  return file;
}
