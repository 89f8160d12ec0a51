import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';

/** How long a lock lives without its holder's heartbeat (it touches the lock every quarter of this). */
export const APPEND_LEASE_MS = 60_000;
/** A takeover is a few file operations: its mutex older than this was left by a process that died inside one. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * One appender at a time to a part file, across every process sharing the folder (the API processes of
 * API_PROCESSES > 1, or replicas on a shared volume): `<file>.lock`, created exclusively (O_EXCL) with a random lease
 * id, is a lease its holder renews by touching it while it appends. A lock not touched for `leaseMs` was left by a
 * holder that died (a SIGKILL, an OOM kill, a host gone) and is taken over — whatever process ids say, since a
 * restarted container's PID 1 names the same pid again. Takeovers go through a second exclusive file, so two
 * processes that both find a lock expired never both take it. Answers the release, or null when the lock is held.
 */
export async function tryAppendLock(file: string, leaseMs = APPEND_LEASE_MS): Promise<(() => Promise<void>) | null> {
  const lock = `${file}.lock`;
  const id = randomUUID();
  if (!(await create(lock, id))) {
    const seen = await holder(lock);
    if (seen && live(seen, leaseMs)) return null;
    if (!(await takeOver(lock, seen?.id ?? null, id, leaseMs))) return null;
  }
  const beat = setInterval(() => void renew(lock, id), Math.max(250, Math.floor(leaseMs / 4)));
  beat.unref();
  return async () => {
    clearInterval(beat);
    // Never another holder's: a lease that expired under us (a stalled disk) may have been taken over.
    if ((await holder(lock))?.id === id) await rm(lock, { force: true });
  };
}

/** Whether a live holder (one that renewed its lease within `leaseMs`) holds `file`'s append lock. */
export async function appendLockHeld(file: string, leaseMs = APPEND_LEASE_MS): Promise<boolean> {
  const seen = await holder(`${file}.lock`);
  return seen !== null && live(seen, leaseMs);
}

/** Removes `file`'s lock whoever holds it (the part file itself is gone: nothing is left to append to). */
export async function dropAppendLock(file: string): Promise<void> {
  await rm(`${file}.lock`, { force: true });
}

interface Holder {
  /** The lease id; empty when its holder died between creating and writing it (then only its age counts). */
  id: string;
  touchedMs: number;
}

function live(seen: Holder, leaseMs: number): boolean {
  return Date.now() - seen.touchedMs <= leaseMs;
}

async function takeOver(lock: string, expiredId: string | null, id: string, leaseMs: number): Promise<boolean> {
  const mutex = `${lock}.takeover`;
  if (!(await create(mutex, id))) {
    const other = await holder(mutex);
    if (other && Date.now() - other.touchedMs <= TAKEOVER_STALE_MS) return false;
    await rm(mutex, { force: true });
    if (!(await create(mutex, id))) return false;
  }
  try {
    // Under the mutex nobody else takes it over; its holder may still have renewed it, or released it.
    const now = await holder(lock);
    if (now && (now.id !== (expiredId ?? now.id) || live(now, leaseMs))) return false;
    await rm(lock, { force: true });
    return await create(lock, id);
  } finally {
    if ((await holder(mutex))?.id === id) await rm(mutex, { force: true });
  }
}

/** Creates `file` only if absent, naming the lease (and, for people reading the folder, the host and pid). */
async function create(file: string, id: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${id} ${os.hostname()} ${process.pid}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

async function holder(file: string): Promise<Holder | null> {
  const found = await Promise.all([readFile(file, 'utf8'), stat(file)]).catch(() => null);
  return found ? { id: found[0].split(' ')[0]?.trim() ?? '', touchedMs: found[1].mtimeMs } : null;
}

async function renew(lock: string, id: string): Promise<void> {
  try {
    if ((await holder(lock))?.id !== id) return;
    const now = new Date();
    await utimes(lock, now, now);
  } catch {
    // A missed beat only shortens the lease; the next one renews it.
  }
}
