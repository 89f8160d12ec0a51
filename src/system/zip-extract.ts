import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { hashingMeter } from '../storage/hashing-meter';

/**
 * Extracts a zip archive (stored and deflated entries, Unix modes kept) with nothing but Node: a machine fetching
 * its own tools (the Go toolchain from the module proxy) may have no unzip. Entries that would land outside
 * `target` (absolute paths, `..`) are refused, and so are zip64 archives (none of the tools we fetch is one).
 */

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export class ZipError extends Error {}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipError(`unexpected end of archive at byte ${position + bytesRead}`);
  return buffer;
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
  mode: number;
}

async function centralDirectory(handle: FileHandle, size: number): Promise<Entry[]> {
  const tail = await readAt(handle, Math.max(0, size - 65_557), Math.min(size, 65_557));
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipError('not a zip archive (no end of central directory)');
  const count = tail.readUInt16LE(end + 10);
  const dirSize = tail.readUInt32LE(end + 12);
  const dirOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw new ZipError('zip64 archives are not supported');
  const dir = await readAt(handle, dirOffset, dirSize);
  const entries: Entry[] = [];
  for (let at = 0, i = 0; i < count; i += 1) {
    if (dir.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new ZipError(`damaged central directory at entry ${i}`);
    const nameLength = dir.readUInt16LE(at + 28);
    const extraLength = dir.readUInt16LE(at + 30);
    const commentLength = dir.readUInt16LE(at + 32);
    entries.push({
      method: dir.readUInt16LE(at + 10),
      compressedSize: dir.readUInt32LE(at + 20),
      localHeader: dir.readUInt32LE(at + 42),
      mode: dir.readUInt32LE(at + 38) >>> 16,
      name: dir.toString('utf8', at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Extracts every entry of `archive` under `target`; returns each file's entry name and the sha256 of its bytes. */
export async function extractZip(archive: string, target: string): Promise<Map<string, string>> {
  const handle = await open(archive, 'r');
  try {
    const { size } = await handle.stat();
    const files = new Map<string, string>();
    for (const entry of await centralDirectory(handle, size)) {
      const destination = path.resolve(target, entry.name);
      if (path.isAbsolute(entry.name) || !destination.startsWith(path.resolve(target) + path.sep)) {
        throw new ZipError(`entry "${entry.name}" would be written outside ${target}`);
      }
      if (entry.name.endsWith('/')) {
        await mkdir(destination, { recursive: true });
        continue;
      }
      const local = await readAt(handle, entry.localHeader, 30);
      if (local.readUInt32LE(0) !== LOCAL_FILE_HEADER) throw new ZipError(`damaged local header of "${entry.name}"`);
      const dataStart = entry.localHeader + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      await mkdir(path.dirname(destination), { recursive: true });
      const source = Readable.from(
        (async function* () {
          for (let at = 0; at < entry.compressedSize; at += 1 << 20) {
            yield await readAt(handle, dataStart + at, Math.min(1 << 20, entry.compressedSize - at));
          }
        })(),
      );
      const meter = hashingMeter();
      if (entry.method === 8) await pipeline(source, createInflateRaw(), meter.stream, createWriteStream(destination));
      else if (entry.method === 0) await pipeline(source, meter.stream, createWriteStream(destination));
      else throw new ZipError(`"${entry.name}" uses compression method ${entry.method}`);
      if (entry.mode & 0o777) await chmod(destination, entry.mode & 0o777);
      files.set(entry.name, meter.digest());
    }
    return files;
  } finally {
    await handle.close();
  }
}
