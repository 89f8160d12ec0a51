import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { acquireStagingLock } from './staging-lock';
import { StagingBusyError } from './staging.errors';

export interface StagingCleanReport {
  removedFiles: number;
  removedBytes: number;
  /** Old files another attempt still holds (a live lock) or whose folder a live import owns. */
  keptLocked: number;
  removedFolders: number;
}

export interface StagingCleanOptions {
  graceMs: number;
  /** A folder (named after a version id) to leave alone whatever its age: an import of it is still live. */
  keepFolder?: (name: string) => Promise<boolean>;
}

/** Held by an attempt that stopped refreshing it this long ago is a dead attempt's lock (holders refresh every 5 s). */
const LOCK_STALE_MS = 60_000;

/**
 * Removes what dead attempts left in the staging folder: partial files untouched for `graceMs` whose lock is
 * free or stale (taken here first, so a live attempt can never lose its file), lock files left without their
 * file, and folders left empty. Staging is a local disk: every worker cleans its own.
 */
export async function cleanStaging(stagingDir: string, options: StagingCleanOptions): Promise<StagingCleanReport> {
  const report: StagingCleanReport = { removedFiles: 0, removedBytes: 0, keptLocked: 0, removedFolders: 0 };
  const folders = await readdir(stagingDir, { withFileTypes: true }).catch(() => []);
  const cutoff = Date.now() - options.graceMs;
  for (const folder of folders) {
    if (!folder.isDirectory()) continue;
    const dir = path.join(stagingDir, folder.name);
    if (await options.keepFolder?.(folder.name)) continue;
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile() || info.mtimeMs > cutoff) continue;
      if (name.endsWith('.lock') || name.endsWith('.stale')) {
        if (!entries.includes(name.replace(/\.lock$/, '')) || name.endsWith('.stale')) await removeStrayLock(file, report);
        continue;
      }
      await removeUnlocked(file, info.size, report);
    }
    if ((await readdir(dir).catch(() => ['?'])).length === 0) {
      await rmdir(dir).then(
        () => (report.removedFolders += 1),
        () => undefined,
      );
    }
  }
  return report;
}

async function removeUnlocked(file: string, size: number, report: StagingCleanReport): Promise<void> {
  let lock;
  try {
    lock = await acquireStagingLock(file, LOCK_STALE_MS);
  } catch (error) {
    if (!(error instanceof StagingBusyError)) throw error;
    report.keptLocked += 1;
    return;
  }
  try {
    await rm(file, { force: true });
    report.removedFiles += 1;
    report.removedBytes += size;
  } finally {
    await lock.release();
  }
}

/** A lock whose file is gone: removed through the lock protocol, so a live holder's lock is never deleted. */
async function removeStrayLock(lockFile: string, report: StagingCleanReport): Promise<void> {
  if (lockFile.endsWith('.stale')) {
    await rm(lockFile, { force: true });
    return;
  }
  const staged = lockFile.replace(/\.lock$/, '');
  try {
    const lock = await acquireStagingLock(staged, LOCK_STALE_MS);
    await lock.release();
  } catch (error) {
    if (!(error instanceof StagingBusyError)) throw error;
    report.keptLocked += 1;
  }
}
