import { TORCH_LEGACY_PICKLES } from '../domain/scanning/pickle-opcodes';
import type { ScanFormat } from '../domain/scanning/scan-report';
import { excerpt } from '../domain/scanning/scan-report';
import { ByteReader, TruncatedError } from './byte-reader';
import { type ByteSource, FileRangeSource, PrefixedSource } from './byte-source';
import { type FileContext, unscannable } from './file-context';
import { archiveKind, NPY_MAGIC, pickleReading } from './format-detect';
import { InflateLimitError, InflateSource } from './inflate-source';
import { scanKerasConfig } from './keras.scanner';
import { scanNpyStream } from './npy.scanner';
import { scanPickleStream } from './pickle.scanner';
import { locate, readZipDirectory, type ZipEntry, ZipFormatError } from './zip-directory';

const ENCRYPTED = 0x0001 | 0x0040;
const BOMB_FLOOR = 1024 * 1024;
const LOCATE_CONCURRENCY = 16;

function kindOf(entries: readonly ZipEntry[], declared: ScanFormat): ScanFormat {
  if (declared !== 'zip') return declared;
  if (entries.some((e) => /(^|\/)data\.pkl$/.test(e.name))) return 'pytorch-zip';
  if (entries.length > 0 && entries.every((e) => e.name.endsWith('.npy'))) return 'npz';
  if (entries.some((e) => e.name === 'config.json') && entries.some((e) => e.name === 'metadata.json')) return 'keras';
  return 'zip';
}

/** Problems with the directory as a whole: overlapping members (a bomb trick), too much declared data. */
function checkLayout(ctx: FileContext, entries: ZipEntry[]): boolean {
  const total = entries.reduce((n, e) => n + e.uncompressedSize, 0);
  if (total > ctx.limits.maxUncompressedBytes) {
    unscannable(ctx, 'zip', 'limit', null, `zip declares ${total} uncompressed bytes (limit ${ctx.limits.maxUncompressedBytes})`);
    return false;
  }
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    if (sorted[i]!.localHeaderOffset < previous.dataOffset + previous.compressedSize) {
      unscannable(ctx, 'zip', 'zip-bomb', sorted[i]!.localHeaderOffset, `zip members "${excerpt(previous.name, 60)}" and "${excerpt(sorted[i]!.name, 60)}" overlap`);
      return false;
    }
  }
  return true;
}

/** PyTorch zip checkpoints, .npz, .keras and any other zip: every member by its content, whatever its name. */
export async function scanZip(ctx: FileContext, declared: ScanFormat, depth = 0): Promise<ScanFormat> {
  let entries: ZipEntry[];
  try {
    entries = await readZipDirectory(ctx.file, ctx.size, ctx.limits.maxZipEntries, ctx.counter);
    // Local headers are independent reads: a few in flight hide the per-read latency on many-member files.
    let next = 0;
    const worker = async () => {
      while (next < entries.length) await locate(ctx.file, ctx.size, entries[next++]!, ctx.counter);
    };
    await Promise.all(Array.from({ length: LOCATE_CONCURRENCY }, worker));
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    unscannable(ctx, 'zip', 'malformed', null, `zip: ${error.message}`);
    return declared === 'zip' ? 'zip' : declared;
  }
  const format = kindOf(entries, declared);
  if (!checkLayout(ctx, entries)) return format;
  if (entries.some((e) => /(^|\/)code\/.+\.py$/.test(e.name) || /(^|\/)constants\.pkl$/.test(e.name))) {
    ctx.sink.add('zip', 'HIGH', 'torchscript-code', null, 'archive holds TorchScript code (code/*.py, constants.pkl), which torch.jit.load compiles and runs');
  }
  for (const entry of entries) await scanMember(ctx, entry, format, depth);
  return format;
}

async function scanMember(ctx: FileContext, entry: ZipEntry, format: ScanFormat, depth: number): Promise<void> {
  const label = `member ${excerpt(entry.name, 100)}: `;
  if (entry.name !== entry.localName || entry.flags !== entry.localFlags) {
    ctx.sink.add('zip', 'HIGH', 'zip-header-mismatch', entry.localHeaderOffset, `${label}local header says "${excerpt(entry.localName, 60)}" flags ${entry.localFlags}, directory says flags ${entry.flags} (read by the directory, as PyTorch does)`);
  }
  if (entry.flags & ENCRYPTED) {
    unscannable(ctx, 'zip', 'encrypted', entry.localHeaderOffset, `${label}flagged as encrypted; scanned as plain bytes, as loaders that ignore the flag would read it`);
  }
  if (entry.name.endsWith('/') && entry.uncompressedSize === 0) return;
  if (entry.method !== 0 && entry.method !== 8) {
    return unscannable(ctx, 'zip', 'compression', entry.localHeaderOffset, `${label}compression method ${entry.method} is not supported`);
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    return unscannable(ctx, 'zip', 'malformed', entry.localHeaderOffset, `${label}stored member with different compressed and uncompressed sizes`);
  }
  if (entry.method === 8 && entry.uncompressedSize > BOMB_FLOOR && entry.uncompressedSize / Math.max(entry.compressedSize, 1) > ctx.limits.maxZipRatio) {
    return unscannable(ctx, 'zip', 'zip-bomb', entry.localHeaderOffset, `${label}inflates ${entry.compressedSize} bytes to ${entry.uncompressedSize}`);
  }
  const end = entry.dataOffset + entry.compressedSize;
  const raw = new PrefixedSource(entry.head, new FileRangeSource(ctx.file, entry.dataOffset + entry.head.length, end, ctx.counter));
  const source: ByteSource = entry.method === 0 ? raw : new InflateSource(raw, entry.uncompressedSize);
  try {
    await scanMemberBytes(ctx, entry, new ByteReader(source), { format, label, depth, origin: entry.method === 0 ? entry.dataOffset : null });
  } catch (error) {
    if (error instanceof InflateLimitError) return unscannable(ctx, 'zip', 'zip-bomb', entry.localHeaderOffset, `${label}${error.message}`);
    if (error instanceof TruncatedError) return unscannable(ctx, 'zip', 'truncated', entry.localHeaderOffset, `${label}ends early`);
    if (isZlibError(error)) return unscannable(ctx, 'zip', 'malformed', entry.localHeaderOffset, `${label}deflate stream is corrupt`);
    throw error;
  } finally {
    if (source instanceof InflateSource) source.close();
  }
}

function isZlibError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('Z_');
}

interface MemberOptions {
  format: ScanFormat;
  label: string;
  depth: number;
  origin: number | null;
}

async function scanMemberBytes(ctx: FileContext, entry: ZipEntry, reader: ByteReader, o: MemberOptions): Promise<void> {
  const head = await reader.peek(512);
  const scan = { sink: ctx.sink, limits: ctx.limits };
  const anchor = entry.localHeaderOffset;
  if (head.subarray(0, 6).equals(NPY_MAGIC)) {
    return scanNpyStream(reader, scan, { origin: o.origin, anchor, where: o.label, size: entry.uncompressedSize, depth: o.depth + 1 });
  }
  const nested = archiveKind(head);
  if (nested) return unscannable(ctx, 'zip', 'nested-archive', anchor, `${o.label}is a ${nested} archive inside the archive`);
  if (o.format === 'keras' && entry.name === 'config.json') return scanKerasConfig(ctx, reader, o.label);
  // Named like a pickle (data.pkl, a .bin inside a bundle) or a legacy torch stream: must parse. Anything
  // else is probed; either way every pickle in the member is read, not just the first.
  const reading = pickleReading(entry.name, head);
  const legacy = reading === 'legacy';
  await scanPickleStream(reader, scan, {
    mode: reading === 'probe' ? 'probe' : 'strict',
    origin: o.origin,
    anchor,
    where: o.label,
    depth: o.depth,
    maxPickles: legacy ? TORCH_LEGACY_PICKLES : ctx.limits.maxPicklesPerStream,
    minPickles: legacy ? TORCH_LEGACY_PICKLES : 0,
    rawTail: legacy,
  });
}
