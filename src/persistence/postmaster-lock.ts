import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeProcess, isOrphan, processInfo, stopProcess } from '../system/process-probe';

export type LockVerdict =
  | { kind: 'free' }
  | { kind: 'cleared'; detail: string }
  | { kind: 'in-use'; detail: string };

/** Fast shutdown first: an orphan gets the time a clean checkpoint needs before SIGKILL. */
const ORPHAN_STOP_MS = 30_000;

/**
 * Makes `dataDir/postmaster.pid` safe to start over after a `kill -9` of the process that ran PostgreSQL:
 * - the pid in it is gone → PostgreSQL clears it itself; it now names some other program (pids are reused
 *   after a reboot or in a container) → removed (PostgreSQL would refuse to start, thinking it alive);
 * - it names a postmaster on this data folder whose parent died → an orphan from a killed run: stopped;
 * - it names a postmaster a live ModelHub (or anything else) still runs → left alone, and the caller says so.
 */
export async function clearStalePostmaster(dataDir: string): Promise<LockVerdict> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  const text = await readFile(lockFile, 'utf8').catch(() => null);
  if (text === null) return { kind: 'free' };
  const pid = Number(text.split('\n')[0]);
  const info = Number.isInteger(pid) && pid > 0 ? await processInfo(pid) : null;
  if (!info) {
    // Left in place on purpose: PostgreSQL itself discards a lock whose pid is gone, after checking that no
    // backend of the dead server still holds its shared memory — a check removing the file would skip.
    return { kind: 'cleared', detail: `found a stale postmaster.pid (pid ${pid} is not running); PostgreSQL will replace it` };
  }
  if (!isPostmasterOf(info.args, dataDir)) {
    // The pid was reused (a reboot, a new container): PostgreSQL would refuse to start, thinking it is alive.
    await rm(lockFile, { force: true });
    return { kind: 'cleared', detail: `removed a stale postmaster.pid (pid ${pid} is now another program: ${describeProcess(info)})` };
  }
  if (await isOrphan(info)) {
    await stopProcess(pid, 'SIGINT', ORPHAN_STOP_MS);
    return { kind: 'cleared', detail: `stopped an orphaned PostgreSQL left by an earlier run: ${describeProcess(info)}` };
  }
  const parent = await processInfo(info.ppid);
  return {
    kind: 'in-use',
    detail:
      `the embedded PostgreSQL data folder ${dataDir} is in use by ${describeProcess(info)}, started by ` +
      `${parent ? describeProcess(parent) : `pid ${info.ppid}`}. Stop that process, or give this one its own ` +
      'EMBEDDED_PG_DIR and EMBEDDED_PG_PORT, or point DATABASE_URL at a server',
  };
}

function isPostmasterOf(args: string[], dataDir: string): boolean {
  if (!args[0] || !/(^|\/)postgres$/.test(args[0])) return false;
  const flag = args.indexOf('-D');
  return flag >= 0 && path.resolve(args[flag + 1] ?? '') === path.resolve(dataDir);
}
