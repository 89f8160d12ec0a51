import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumMismatchError, SizeMismatchError } from '../domain/artifacts/checksum.errors';
import type { StoredBlob } from './artifact-store';

export interface OpenedSource {
  stream: Readable;
  /** Where the stream really starts: 0 when the source ignored a range request. */
  offset: number;
}

export interface StageOptions {
  /** Name for messages (the path inside the model repository). */
  name: string;
  stagingPath: string;
  open: (offset: number) => Promise<OpenedSource>;
  expectedSize: number | null;
  expectedSha256: string | null;
  /** Called with the total bytes staged so far, at most every `progressEveryBytes`. */
  onProgress?: (bytes: number) => void;
  progressEveryBytes?: number;
  signal?: AbortSignal;
}

async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

async function hashExisting(file: string, hash: Hash): Promise<void> {
  await pipeline(createReadStream(file), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) hash.update(chunk);
  });
}

/**
 * Streams a source file into a local staging file while hashing it, resuming after whatever a previous
 * attempt already wrote (its bytes are re-hashed from disk, the rest fetched from that offset).
 * Memory stays at one stream chunk whatever the file size. Verifies size and sha256 when known.
 */
export async function stageFile(options: StageOptions): Promise<StoredBlob> {
  const { stagingPath, expectedSize } = options;
  await mkdir(path.dirname(stagingPath), { recursive: true });
  let existing = await sizeOf(stagingPath);
  if (expectedSize !== null && existing > expectedSize) {
    await truncate(stagingPath, 0);
    existing = 0;
  }
  const hash = createHash('sha256');
  let written = existing;
  if (expectedSize === null || existing < expectedSize || existing === 0) {
    const opened = await options.open(existing);
    if (opened.offset !== existing) {
      // The source cannot resume: start the file over rather than append a second copy.
      await truncate(stagingPath, 0).catch(() => undefined);
      written = 0;
    } else if (existing > 0) {
      await hashExisting(stagingPath, hash);
    }
    const every = options.progressEveryBytes ?? 8 * 1024 * 1024;
    let lastReported = written;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        written += chunk.length;
        if (written - lastReported >= every) {
          lastReported = written;
          options.onProgress?.(written);
        }
        done(null, chunk);
      },
    });
    await pipeline(opened.stream, meter, createWriteStream(stagingPath, { flags: written === 0 ? 'w' : 'a' }), {
      signal: options.signal,
    });
  } else {
    await hashExisting(stagingPath, hash);
  }
  options.onProgress?.(written);
  const sha256 = hash.digest('hex');
  const size = await sizeOf(stagingPath);
  if (expectedSize !== null && size !== expectedSize) {
    await rm(stagingPath, { force: true });
    throw new SizeMismatchError(options.name, expectedSize, size);
  }
  if (options.expectedSha256 && options.expectedSha256 !== sha256) {
    await rm(stagingPath, { force: true });
    throw new ChecksumMismatchError(options.name, options.expectedSha256, sha256);
  }
  return { sha256, size };
}
