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

/** The process and every descendant (MLflow's server forks its workers). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]));
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
  private readonly timer: NodeJS.Timeout;
  private readonly cpuByPid = new Map<number, number>();

  constructor(
    readonly label: string,
    readonly pid: number,
    /** Whether children count (a server's workers) or not (this process: its children are the servers). */
    private readonly tree = true,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  sample(): number {
    const rss = this.pids().reduce((sum, pid) => sum + rssBytes(pid), 0);
    if (rss > this.peak) this.peak = rss;
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
    return this.tree ? processTree(this.pid) : [this.pid];
  }

  peakRssBytes(): number {
    this.sample();
    return this.peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The bench process itself (clients, seeding). */
export function selfMeter(): ProcessMeter {
  return new ProcessMeter('bench client (raw SQL peer, subscribers)', process.pid, false);
}
