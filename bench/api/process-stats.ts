import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ is 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // The process ended between the listing and the read: it has no children left to count.
  }
  return out;
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * The process and every descendant (MLflow's server forks its workers); with `only`, the descendants running that
 * command (the API's node:cluster processes, not the Temporal dev server it may have started).
 */
export function processTree(pid: number, only?: string): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]).filter((child) => only === undefined || command(child) === only));
  return all;
}

/** CPU seconds (user + system) the process has used so far, 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples a process tree's RSS (sum over the tree) every `intervalMs` and keeps the peak; CPU is read on demand
 * so each workload can take the difference. Exited children's CPU is lost, which is why servers are measured
 * while they run.
 */
export class ProcessMeter {
  private peak = 0;
  private peakOne = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly cpuByPid = new Map<number, number>();

  constructor(
    readonly label: string,
    readonly pid: number,
    /**
     * Whether children count (a server's workers) or not (this process: its children are the servers); `node`: the
     * node descendants only (the API's cluster processes, without the Temporal dev server it may start).
     */
    private readonly tree: boolean | 'node' = true,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  /** The tree's RSS now, the SUM over its processes (each process's own peak is kept too). */
  sample(): number {
    const each = this.pids().map(rssBytes);
    const rss = each.reduce((sum, bytes) => sum + bytes, 0);
    if (rss > this.peak) this.peak = rss;
    this.peakOne = Math.max(this.peakOne, ...each);
    return rss;
  }

  /** CPU seconds of the tree so far; remembers exited children's last reading so the total never drops. */
  cpu(): number {
    for (const pid of this.pids()) this.cpuByPid.set(pid, Math.max(this.cpuByPid.get(pid) ?? 0, cpuSeconds(pid)));
    let total = 0;
    for (const seconds of this.cpuByPid.values()) total += seconds;
    return total;
  }

  private pids(): number[] {
    if (this.tree === false) return [this.pid];
    return processTree(this.pid, this.tree === 'node' ? 'node' : undefined);
  }

  /** Peak of the SUM of RSS over the measured processes. */
  peakRssBytes(): number {
    this.sample();
    return this.peak;
  }

  /** The largest RSS any one measured process reached. */
  peakProcessRssBytes(): number {
    this.sample();
    return this.peakOne;
  }

  /** How many processes are measured now. */
  processCount(): number {
    return this.pids().length;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The bench process itself (clients, seeding). */
export function selfMeter(): ProcessMeter {
  return new ProcessMeter('bench client (raw SQL peer, subscribers)', process.pid, false);
}
