import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumMismatchError, GitBlobMismatchError, SizeMismatchError } from '../domain/artifacts/checksum.errors';
import type { StoredBlob } from './artifact-store';
import { ContentHashes, gitBlobIdOfFile, hashFile } from './content-hashes';
import { acquireStagingLock } from './staging-lock';
import { StalledSourceError } from './staging.errors';

export { StagingBusyError, StalledSourceError } from './staging.errors';

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
  /** The git blob sha1 the source lists (the hub's `oid` of a non-LFS file); verified when given. */
  expectedGitBlobId?: string | null;
  /** Called with the total bytes staged so far, at most every `progressEveryBytes`. */
  onProgress?: (bytes: number) => void;
  progressEveryBytes?: number;
  /** No bytes for this long tears the transfer down with the retryable StalledSourceError. */
  idleTimeoutMs?: number;
  /** Called every `tickMs` with the bytes staged so far, whether or not bytes are arriving (heartbeats). */
  onTick?: (staged: number) => void;
  tickMs?: number;
  /**
   * Runs after verification while the staging lock is still held, so moving the staged file into the
   * store cannot race another attempt that would otherwise take the lock the moment this one returns.
   */
  commit?: (blob: StoredBlob) => Promise<void>;
  signal?: AbortSignal;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_TICK_MS = 5_000;
/** A lock is stale after three missed refreshes, but never sooner than this (clock skew, slow disks). */
const MIN_LOCK_STALE_MS = 15_000;

/** What the heartbeat timer and the transfer share: the byte count, and how to abort a transfer in flight. */
interface Transfer {
  staged: number;
  failure: Error | null;
  abort: ((error: Error) => void) | null;
}

async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/**
 * Streams a source file into a local staging file while hashing it, resuming after whatever a previous
 * attempt already wrote (its bytes are re-hashed from disk, the rest fetched from that offset).
 * Memory stays at one stream chunk whatever the file size. Verifies size, sha256 and git blob id when known.
 * Holds `<stagingPath>.lock` throughout, so two attempts never write the same file.
 */
export async function stageFile(options: StageOptions): Promise<StoredBlob> {
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  await mkdir(path.dirname(options.stagingPath), { recursive: true });
  const lock = await acquireStagingLock(options.stagingPath, Math.max(3 * tickMs, MIN_LOCK_STALE_MS));
  const transfer: Transfer = { staged: 0, failure: null, abort: null };
  const fail = (error: Error) => {
    transfer.failure ??= error;
    transfer.abort?.(error);
  };
  // A timer, not the data path, drives heartbeats: a link that delivers nothing still reports it is alive.
  const ticker = setInterval(() => {
    try {
      options.onTick?.(transfer.staged);
    } catch (error) {
      fail(error as Error);
    }
    lock.refresh().catch(fail);
  }, tickMs);
  try {
    const blob = await stageLocked(options, transfer);
    await lock.refresh(); // still ours: nobody took over while we were finishing
    if (transfer.failure) throw transfer.failure;
    await options.commit?.(blob);
    return blob;
  } finally {
    clearInterval(ticker);
    await lock.release();
  }
}

async function stageLocked(options: StageOptions, transfer: Transfer): Promise<StoredBlob> {
  const { stagingPath, expectedSize } = options;
  const withGitBlobId = Boolean(options.expectedGitBlobId);
  let existing = await sizeOf(stagingPath);
  if (expectedSize !== null && existing > expectedSize) {
    await truncate(stagingPath, 0);
    existing = 0;
  }
  let hashes = new ContentHashes(expectedSize, withGitBlobId);
  transfer.staged = existing;
  // Re-hash before opening the source, so the connection does not sit idle while a large prefix is read.
  if (existing > 0) await hashFile(stagingPath, hashes, options.signal);
  if (expectedSize === null || existing < expectedSize || existing === 0) {
    const opened = await openWithin(options, existing);
    if (opened.offset !== existing) {
      // The source cannot resume: start the file over rather than append a second copy.
      await truncate(stagingPath, 0).catch(() => undefined);
      hashes = new ContentHashes(expectedSize, withGitBlobId);
      transfer.staged = 0;
    }
    await pump(options, opened.stream, hashes, transfer);
  }
  options.onProgress?.(transfer.staged);
  return verify(options, hashes);
}

/** Opening counts against the idle timeout too: a server that never answers is as stalled as one that stops. */
async function openWithin(options: StageOptions, offset: number): Promise<OpenedSource> {
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const pending = options.open(offset);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new StalledSourceError(options.name, idleMs, offset)), idleMs);
  });
  try {
    return await Promise.race([pending, deadline]);
  } catch (error) {
    // A late answer must not leak its connection.
    void pending.then(
      (late) => late.stream.destroy(),
      () => undefined,
    );
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function pump(options: StageOptions, source: Readable, hashes: ContentHashes, transfer: Transfer): Promise<void> {
  if (transfer.failure) {
    source.destroy();
    throw transfer.failure;
  }
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const idle = setTimeout(() => source.destroy(new StalledSourceError(options.name, idleMs, transfer.staged)), idleMs);
  transfer.abort = (error) => source.destroy(error);
  const every = options.progressEveryBytes ?? 8 * 1024 * 1024;
  let lastReported = transfer.staged;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      idle.refresh();
      hashes.update(chunk);
      transfer.staged += chunk.length;
      if (transfer.staged - lastReported >= every) {
        lastReported = transfer.staged;
        options.onProgress?.(transfer.staged);
      }
      done(null, chunk);
    },
  });
  try {
    const flags = transfer.staged === 0 ? 'w' : 'a';
    await pipeline(source, meter, createWriteStream(options.stagingPath, { flags }), { signal: options.signal });
  } finally {
    clearTimeout(idle);
    transfer.abort = null;
  }
}

/** A staged file that fails any check is deleted: its bytes are wrong, and a resume would build on them. */
async function verify(options: StageOptions, hashes: ContentHashes): Promise<StoredBlob> {
  const { stagingPath, expectedSize, name } = options;
  const size = await sizeOf(stagingPath);
  const digests = hashes.digest();
  const reject = async (error: Error): Promise<never> => {
    await rm(stagingPath, { force: true });
    throw error;
  };
  if (expectedSize !== null && size !== expectedSize) return reject(new SizeMismatchError(name, expectedSize, size));
  const expectedSha256 = options.expectedSha256?.toLowerCase();
  if (expectedSha256 && expectedSha256 !== digests.sha256) return reject(new ChecksumMismatchError(name, expectedSha256, digests.sha256));
  const expectedGitBlobId = options.expectedGitBlobId?.toLowerCase();
  if (expectedGitBlobId) {
    const gitBlobId = digests.gitBlobId ?? (await gitBlobIdOfFile(stagingPath, size, options.signal));
    if (gitBlobId !== expectedGitBlobId) return reject(new GitBlobMismatchError(name, expectedGitBlobId, gitBlobId));
  }
  return { sha256: digests.sha256, size };
}
