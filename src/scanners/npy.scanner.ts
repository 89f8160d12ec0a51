import { hasObjectField, NpyHeaderError, parseNpyHeader, simpleItemSize } from '../domain/scanning/npy-header';
import { isNumpyArrayGlobal } from '../domain/scanning/pickle-policy';
import { excerpt } from '../domain/scanning/scan-report';
import { type ByteReader, TruncatedError } from './byte-reader';
import { type ScanContext, scanPickleStream } from './pickle.scanner';

const MAX_NPY_HEADER = 1024 * 1024;

export interface NpyStreamOptions {
  origin: number | null;
  anchor: number | null;
  where: string;
  /** Bytes in the stream (file or member size). */
  size: number;
  depth: number;
}

/**
 * Object-dtype data is a pickle (np.save writes one). Findings in it stand on their own; a pickle that imports
 * only numpy's array reconstructors is what np.save writes for plain items and is clean, as picklescan has it.
 * Anything else it imports, even an allowed global, is noted (LOW): the items are more than plain data.
 */
async function scanObjectData(reader: ByteReader, ctx: ScanContext, o: NpyStreamOptions): Promise<void> {
  const first: { foreign: string | null } = { foreign: null };
  const onImport = (global: string | null) => {
    if (first.foreign === null && (global === null || !isNumpyArrayGlobal(global))) first.foreign = global ?? 'a dynamic global';
  };
  const where = `${o.where}npy object data: `;
  await scanPickleStream(reader, ctx, { mode: 'strict', origin: o.origin, anchor: o.anchor, where, depth: o.depth + 1, maxPickles: 1, onImport });
  if (first.foreign !== null) {
    const message = `${o.where}npy has object dtype and its pickle imports ${excerpt(first.foreign, 100)}, not only numpy's array reconstructors (np.load needs allow_pickle=True)`;
    ctx.sink.add('numpy', 'LOW', 'npy-object-dtype', o.origin ?? o.anchor, message);
  }
}

/**
 * .npy: magic, version, header dict (parsed, not evaluated). Plain dtypes: the data must be exactly
 * shape × itemsize bytes and is never read. Object dtype: the data is a pickle (np.save writes one), walked
 * like any other.
 */
export async function scanNpyStream(reader: ByteReader, ctx: ScanContext, o: NpyStreamOptions): Promise<void> {
  const at = (n: number) => (o.origin !== null ? o.origin + n : o.anchor);
  const fail = (rule: string, message: string) => ctx.sink.add('numpy', 'MEDIUM', `unscannable-${rule}`, at(0), `${o.where}npy: ${message}`);
  try {
    await reader.need(10);
    reader.take(6);
    const major = reader.u8();
    reader.u8();
    if (major < 1 || major > 3) return fail('malformed', `unknown format version ${major}`);
    let length: number;
    if (major === 1) length = reader.u16();
    else {
      await reader.need(2);
      length = (reader.u16() << 0) + reader.u16() * 0x10000;
    }
    if (length > MAX_NPY_HEADER) return fail('limit', `header of ${length} bytes`);
    await reader.need(length);
    const header = parseNpyHeader(reader.take(length).toString(major === 3 ? 'utf8' : 'latin1'));
    const dataStart = reader.offset;
    if (hasObjectField(header.descr)) return scanObjectData(reader, ctx, o);
    const itemSize = simpleItemSize(header.descr);
    if (itemSize === null) {
      if (typeof header.descr !== 'object' || header.descr === null) return fail('malformed', `dtype ${excerpt(String(header.descr), 40)} is not understood`);
      return; // structured dtype without objects: plain bytes, never unpickled
    }
    const expected = header.shape.reduce((n, d) => n * d, 1) * itemSize;
    if (o.size - dataStart !== expected) return fail('malformed', `data is ${o.size - dataStart} bytes; shape and dtype need ${expected}`);
  } catch (error) {
    if (error instanceof NpyHeaderError) return fail('malformed', excerpt(error.message, 200));
    if (error instanceof TruncatedError) return fail('truncated', 'header is truncated');
    throw error;
  }
}
