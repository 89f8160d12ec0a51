import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const errorCode = (error: unknown): unknown => (error as NodeJS.ErrnoException | null)?.code;

/** Flushes a file's bytes to the disk (not just the page cache). */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a folder's entries: without it a rename can be lost in a power cut even though the file's bytes
 * were synced, leaving a database row that names a blob the disk never recorded.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (and platforms) cannot fsync a folder; the file itself was synced.
    if (errorCode(error) !== 'EINVAL' && errorCode(error) !== 'EISDIR' && errorCode(error) !== 'EPERM') throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Moves a fully written file to `target` so that, once this resolves, the bytes and the name survive a crash:
 * the file is fsynced, renamed, and the target's folder fsynced. A source on another file system (EXDEV: a
 * staging folder on local disk, a store on a mounted volume) is copied to a temporary name beside the target
 * — re-hashed on the way when `sha256` is given, so a bad copy never lands — synced, and renamed the same way.
 */
export async function durableMove(source: string, target: string, sha256?: string): Promise<void> {
  await fsyncFile(source);
  try {
    await rename(source, target);
  } catch (error) {
    if (errorCode(error) !== 'EXDEV') throw error;
    await copyAcross(source, target, sha256);
    await rm(source, { force: true });
  }
  await fsyncDir(path.dirname(target));
}

async function copyAcross(source: string, target: string, sha256?: string): Promise<void> {
  const temp = `${target}.incoming-${process.pid}-${Date.now()}`;
  const hash = createHash('sha256');
  try {
    await pipeline(
      createReadStream(source),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(temp, { flags: 'wx' }),
    );
    const actual = hash.digest('hex');
    if (sha256 && actual !== sha256) throw new Error(`copy of ${path.basename(source)} hashed to ${actual}, expected ${sha256}`);
    await fsyncFile(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
