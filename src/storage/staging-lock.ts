import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StagingBusyError } from './staging.errors';

/** Held while one attempt writes a staging file; refreshed on every heartbeat tick. */
export interface StagingLock {
  /** Touches the lock's mtime and proves it is still ours; throws StagingBusyError when it was taken over. */
  refresh(): Promise<void>;
  /** Removes the lock if it is still ours (never another attempt's). */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

interface Seen {
  raw: string;
  holder: Holder | null;
  mtimeMs: number;
}

const errorCode = (error: unknown): unknown => (error as NodeJS.ErrnoException | null)?.code;

function parseHolder(raw: string): Holder | null {
  try {
    const value = JSON.parse(raw) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return { pid: value.pid, host: value.host, token: value.token };
    }
  } catch {
    // Empty or half-written: its creator is between `open(wx)` and the write, or crashed there.
  }
  return null;
}

function describe(seen: Seen | null): string {
  return seen?.holder ? `pid ${seen.holder.pid} on ${seen.holder.host}` : 'an unidentified holder';
}

async function look(lockPath: string): Promise<Seen | null> {
  try {
    const [raw, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { raw, holder: parseHolder(raw), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // exists, owned by someone else
  }
}

/** A holder that stopped refreshing, or whose process is gone from this host, no longer writes. */
function isStale(seen: Seen, staleMs: number): boolean {
  if (Date.now() - seen.mtimeMs > staleMs) return true;
  return seen.holder !== null && seen.holder.host === hostname() && !processAlive(seen.holder.pid);
}

/**
 * Moves a stale lock aside atomically. If another attempt replaced it between our look and the rename,
 * what we moved is that attempt's fresh lock: link it back (link never overwrites) and let the caller retry.
 */
async function takeOver(lockPath: string, seen: Seen, token: string): Promise<void> {
  const aside = `${lockPath}.${token}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => null);
  if (moved !== seen.raw) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/**
 * Takes `<stagingPath>.lock` exclusively (created with `wx`, holding pid, host and a random token).
 * A lock not refreshed within `staleMs`, or whose process died on this host, is taken over; a live one
 * makes this throw the retryable StagingBusyError.
 */
export async function acquireStagingLock(stagingPath: string, staleMs: number): Promise<StagingLock> {
  const lockPath = `${stagingPath}.lock`;
  const token = randomBytes(16).toString('hex');
  const body = JSON.stringify({ pid: process.pid, host: hostname(), token } satisfies Holder);
  // Bounded: each round either wins, meets a live holder, or removed one stale lock.
  for (let round = 0; round < 5; round += 1) {
    try {
      await writeFile(lockPath, body, { flag: 'wx' });
      return heldLock(stagingPath, lockPath, body);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const seen = await look(lockPath);
    if (seen === null) continue;
    if (!isStale(seen, staleMs)) throw new StagingBusyError(stagingPath, describe(seen));
    await takeOver(lockPath, seen, token);
  }
  throw new StagingBusyError(stagingPath, 'attempts contending for a stale lock');
}

function heldLock(stagingPath: string, lockPath: string, body: string): StagingLock {
  return {
    async refresh() {
      const seen = await look(lockPath);
      if (seen?.raw !== body) throw new StagingBusyError(stagingPath, seen ? describe(seen) : 'its lock was removed');
      const now = new Date();
      await utimes(lockPath, now, now);
    },
    async release() {
      const raw = await readFile(lockPath, 'utf8').catch(() => null);
      if (raw === body) await unlink(lockPath).catch(() => undefined);
    },
  };
}
