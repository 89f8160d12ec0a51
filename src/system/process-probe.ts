import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * What a previous run left behind, seen through /proc (Linux; elsewhere every probe answers "unknown" and the
 * callers fall back to reporting what is in the way instead of clearing it).
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** argv of the process; empty when it cannot be read. */
  args: string[];
}

const errorCode = (error: unknown): unknown => (error as NodeJS.ErrnoException | null)?.code;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // exists, owned by another user
  }
}

export async function processInfo(pid: number): Promise<ProcessInfo | null> {
  try {
    const [stat, cmdline] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8')]);
    // The command name is in parentheses and may itself hold spaces or parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), args: cmdline.split('\0').filter(Boolean) };
  } catch {
    return null;
  }
}

export function describeProcess(info: ProcessInfo): string {
  const args = info.args.join(' ');
  return `pid ${info.pid} (${args.length > 160 ? `${args.slice(0, 160)}…` : args || 'unknown command'})`;
}

/**
 * A process whose parent is gone is an orphan from a run that was killed (kill -9, a crash): its parent is now
 * init, a subreaper, or — when we run as PID 1 in a container — ourselves. A process whose parent is a live
 * Node process belongs to a ModelHub that is still running, and must not be touched.
 */
export async function isOrphan(info: ProcessInfo): Promise<boolean> {
  if (info.ppid <= 1 || info.ppid === process.pid) return true;
  const parent = await processInfo(info.ppid);
  if (!parent) return true;
  return !parent.args.some((arg) => /(^|\/)node(js)?$/.test(arg) || arg.endsWith('/npm-cli.js'));
}

/** Sends `signal`, then waits up to `timeoutMs` for the process to be gone; SIGKILL after that. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The process listening on a loopback TCP port, found through /proc/net/tcp and its socket inode. */
export async function listenerOnPort(port: number): Promise<ProcessInfo | null> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; the inode is the 10th column.
      if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return null;
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of pids) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return processInfo(Number(entry));
    }
  }
  return null;
}
