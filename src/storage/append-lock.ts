import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';

/**
 * One appender at a time to a part file, across every process of this host that shares the folder (the API
 * processes of API_PROCESSES > 1): a `<file>.lock` created exclusively (O_EXCL), naming its host and pid. A lock
 * left by a process that died (same host, pid gone) is taken over; one of another host (a shared volume) counts
 * as held until it is `staleAfterMs` old.
 */
export async function tryAppendLock(file: string, staleAfterMs: number): Promise<(() => Promise<void>) | null> {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(`${os.hostname()} ${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await isStale(lock, staleAfterMs))) return null;
      await rm(lock, { force: true });
    }
  }
  return null;
}

/** Whether another live process holds `file`'s append lock. */
export async function appendLockHeld(file: string, staleAfterMs: number): Promise<boolean> {
  const lock = `${file}.lock`;
  const present = await stat(lock).then(() => true, () => false);
  return present && !(await isStale(lock, staleAfterMs));
}

async function isStale(lock: string, staleAfterMs: number): Promise<boolean> {
  const found = await Promise.all([readFile(lock, 'utf8'), stat(lock)]).catch(() => null);
  if (!found) return true; // gone meanwhile: free
  const [text, info] = found;
  const [host, pid] = text.trim().split(' ');
  if (host === os.hostname() && /^\d+$/.test(pid ?? '')) {
    if (Number(pid) === process.pid) return false; // ours: this process's own append (refused by its in-process check first)
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  // Being written (empty yet) or another host's: held until it is old.
  return Date.now() - info.mtimeMs > staleAfterMs;
}
