import { startsWithTorchLegacyMagic } from '../domain/scanning/pickle-opcodes';
import type { ScanFormat } from '../domain/scanning/scan-report';

/** How a file is scanned: the format, and for pickles whether bytes must be a pickle (strict) or may not be. */
export interface Detection {
  format: ScanFormat;
  strictPickle: boolean;
}

const ARCHIVE_MAGICS: [string, Buffer][] = [
  ['7z', Buffer.from('377abcaf271c', 'hex')],
  ['gzip', Buffer.from('1f8b', 'hex')],
  ['bzip2', Buffer.from('425a68', 'hex')],
  ['xz', Buffer.from('fd377a585a00', 'hex')],
  ['zstd', Buffer.from('28b52ffd', 'hex')],
  ['rar', Buffer.from('526172211a07', 'hex')],
  ['lz4', Buffer.from('04224d18', 'hex')],
];

export const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
export const EMPTY_ZIP_MAGIC = Buffer.from('PK\x05\x06', 'latin1');
export const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');
export const HDF5_MAGIC = Buffer.from('\x89HDF\r\n\x1a\n', 'latin1');

/** A nested or unknown archive/compression container by its magic bytes, or null. */
export function archiveKind(head: Buffer): string | null {
  if (head.subarray(0, 4).equals(ZIP_MAGIC) || head.subarray(0, 4).equals(EMPTY_ZIP_MAGIC)) return 'zip';
  for (const [kind, magic] of ARCHIVE_MAGICS) if (head.subarray(0, magic.length).equals(magic)) return kind;
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return null;
}

function looksLikeSafetensors(head: Buffer, size: number): boolean {
  if (head.length < 9) return false;
  const n = head.readBigUInt64LE(0);
  return n > 1n && n + 8n <= BigInt(size) && head[8] === 0x7b; // '{'
}

/**
 * Names whose loaders unpickle whatever the bytes are: torch.load (.bin/.pt/.pth/.ckpt, a zip or a legacy
 * stream), pickle/joblib/dill, and np.load, which falls back to pickle.load when a .npy/.npz lacks its magic.
 * Unless their content is another format, such files must parse as pickles or they are unscannable.
 */
const PICKLE_NAMES = /\.(pkl|pickle|pt|pth|ckpt|bin|joblib|dill|npy|npz)$/;

export function isPickleName(name: string): boolean {
  return PICKLE_NAMES.test(name.toLowerCase());
}

/** How a stream that may be pickles is read: legacy torch (five pickles, then raw storages), strictly, or probed. */
export function pickleReading(name: string, head: Buffer): 'legacy' | 'strict' | 'probe' {
  if (startsWithTorchLegacyMagic(head)) return 'legacy';
  return isPickleName(name) ? 'strict' : 'probe';
}

/** Content first (a renamed pickle stays a pickle), then the name for formats without a magic number. */
export function detectScanFormat(name: string, head: Buffer, size: number): Detection {
  const lower = name.toLowerCase();
  const base = lower.split('/').pop() ?? lower;
  const is = (format: ScanFormat, strictPickle = false): Detection => ({ format, strictPickle });
  if (head.subarray(0, 4).toString('latin1') === 'GGUF') return is('gguf');
  if (startsWithTorchLegacyMagic(head)) return is('pytorch-legacy', true);
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return is('pickle', true);
  if (head.subarray(0, 6).equals(NPY_MAGIC)) return is('numpy');
  if (head.subarray(0, 4).equals(ZIP_MAGIC) || head.subarray(0, 4).equals(EMPTY_ZIP_MAGIC)) {
    return is(base.endsWith('.npz') ? 'npz' : base.endsWith('.keras') ? 'keras' : 'zip');
  }
  if (head.subarray(0, 8).equals(HDF5_MAGIC)) return is('hdf5');
  if (archiveKind(head)) return is('archive');
  if (base.endsWith('.safetensors') || looksLikeSafetensors(head, size)) return is('safetensors');
  return byName(base);
}

/** Formats without a magic number, and names that promise one the content did not show (their scanner says so). */
function byName(base: string): Detection {
  const is = (format: ScanFormat, strictPickle = false): Detection => ({ format, strictPickle });
  if (base === 'saved_model.pb') return is('saved-model');
  if (base === 'keras_metadata.pb' || /\.(h5|hdf5)$/.test(base)) return is('hdf5');
  if (base.endsWith('.keras')) return is('keras');
  if (base.endsWith('.gguf')) return is('gguf');
  if (base.endsWith('.zip')) return is('zip');
  if (base === 'tokenizer_config.json' || base === 'chat_template.json' || base.endsWith('.jinja')) return is('tokenizer-config');
  if (base.endsWith('.py')) return is('python-source');
  if (PICKLE_NAMES.test(base)) return is('pickle', true);
  return is('other');
}
