import type { FileHandle } from 'node:fs/promises';
import type { ReadCounter } from './byte-source';

/**
 * Reads a zip the way PyTorch (miniz) does: from the end-of-central-directory record and the central
 * directory, never from local headers' names, sizes, CRCs or flags; the local header is only used for
 * the length of its name and extra field, to find where the data starts.
 */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Filled by locate(): where the member's bytes begin. */
  dataOffset: number;
  localName: string;
  localFlags: number;
  /** The member's first bytes (compressed if deflated), read together with its local header. */
  head: Buffer;
}

export class ZipFormatError extends Error {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024;

async function readAt(file: FileHandle, position: number, length: number, counter: ReadCounter): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  counter.bytes += bytesRead;
  if (bytesRead !== length) throw new ZipFormatError(`zip structure runs past the end of the file at byte ${position}`);
  return buffer;
}

function u64(buffer: Buffer, at: number): number {
  const v = buffer.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip64 field beyond 2^53');
  return Number(v);
}

interface Directory {
  offset: number;
  size: number;
  count: number;
}

async function findDirectory(file: FileHandle, fileSize: number, counter: ReadCounter): Promise<Directory> {
  const tailLength = Math.min(fileSize, 22 + 0xffff + 20);
  const tail = await readAt(file, fileSize - tailLength, tailLength, counter);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD) continue;
    const at = fileSize - tailLength + i;
    if (tail.readUInt16LE(i + 4) !== 0 || tail.readUInt16LE(i + 6) !== 0) throw new ZipFormatError('multi-disk zip');
    let count = tail.readUInt16LE(i + 10);
    let size = tail.readUInt32LE(i + 12);
    let offset = tail.readUInt32LE(i + 16);
    if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      if (i < 20 || tail.readUInt32LE(i - 20) !== ZIP64_LOCATOR) throw new ZipFormatError('zip64 end record without its locator');
      const record = await readAt(file, u64(tail, i - 20 + 8), 56, counter);
      if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('zip64 end record missing');
      count = u64(record, 32);
      size = u64(record, 40);
      offset = u64(record, 48);
    }
    if (offset + size > at) throw new ZipFormatError('central directory runs past its end record');
    return { offset, size, count };
  }
  throw new ZipFormatError('no end-of-central-directory record');
}

function zip64Extra(extra: Buffer, entry: ZipEntry): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        if (q + 8 > p + 4 + length) throw new ZipFormatError('zip64 extra field too short');
        const v = u64(extra, q);
        q += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    p += 4 + length;
  }
}

export async function readZipDirectory(file: FileHandle, fileSize: number, maxEntries: number, counter: ReadCounter): Promise<ZipEntry[]> {
  const dir = await findDirectory(file, fileSize, counter);
  if (dir.count > maxEntries) throw new ZipFormatError(`${dir.count} entries (limit ${maxEntries})`);
  if (dir.size > MAX_CENTRAL_DIRECTORY) throw new ZipFormatError(`central directory of ${dir.size} bytes`);
  const cd = await readAt(file, dir.offset, dir.size, counter);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError(`central directory entry ${i} is malformed`);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    if (p + 46 + nameLength + extraLength + commentLength > cd.length) throw new ZipFormatError(`central directory entry ${i} runs past the directory`);
    const entry: ZipEntry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
      dataOffset: -1,
      localName: '',
      localFlags: 0,
      head: Buffer.alloc(0),
    };
    zip64Extra(cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), entry);
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** How much of a member's data is read with its local header: enough to tell what the member is. */
export const HEAD_BYTES = 512;
// PyTorch pads the local extra field so data starts 64-byte aligned; room for that and more in one read.
const EXTRA_SLACK = 256;

/**
 * Reads an entry's local header, only for where its data starts (the local name and flags are kept to
 * compare), together with the member's first bytes: one read per member, so thousands of storages stay cheap.
 */
export async function locate(file: FileHandle, fileSize: number, entry: ZipEntry, counter: ReadCounter): Promise<void> {
  if (entry.localHeaderOffset + 30 > fileSize) throw new ZipFormatError(`local header of ${entry.name} is past the end of the file`);
  const want = 30 + Buffer.byteLength(entry.name) + EXTRA_SLACK + HEAD_BYTES;
  let block = await readAt(file, entry.localHeaderOffset, Math.min(want, fileSize - entry.localHeaderOffset), counter);
  if (block.readUInt32LE(0) !== LOCAL) throw new ZipFormatError(`no local header where the directory puts ${entry.name}`);
  const nameLength = block.readUInt16LE(26);
  const extraLength = block.readUInt16LE(28);
  const start = 30 + nameLength + extraLength;
  const headLength = Math.min(HEAD_BYTES, entry.compressedSize);
  if (start + headLength > block.length) {
    block = await readAt(file, entry.localHeaderOffset, Math.min(start + headLength, fileSize - entry.localHeaderOffset), counter);
  }
  entry.localFlags = block.readUInt16LE(6);
  entry.localName = block.toString('utf8', 30, Math.min(30 + nameLength, block.length));
  entry.dataOffset = entry.localHeaderOffset + start;
  if (entry.dataOffset + entry.compressedSize > fileSize) throw new ZipFormatError(`data of ${entry.name} runs past the end of the file`);
  entry.head = block.subarray(start, start + headLength);
}
