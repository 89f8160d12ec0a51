import type { LoadResult } from './load-runner';

const MiB = 1024 * 1024;

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** The label of the embedded server's meter (bench/api-bench.ts). */
export const POSTGRES_METER = 'PostgreSQL (embedded)';

/** The PostgreSQL part of a row's CPU per operation, NaN when the row was not charged PostgreSQL's CPU. */
export function postgresCpu(r: LoadResult): number {
  return r.cpuMsPerOpBy.get(POSTGRES_METER) ?? Number.NaN;
}

/** The table every run prints: one line per workload and system. */
export function loadTable(results: readonly LoadResult[]): string {
  const header = ['workload', 'system', 'ops', 'errors', 'ops/s', 'p50 ms', 'p99 ms', 'server CPU ms/op', 'of which PostgreSQL', 'load avg (start→end)'];
  const rows = results.map((r) => [
    r.name, r.system, String(r.count), String(r.errors), fixed(r.throughput, 1), fixed(r.p50Ms, 2), fixed(r.p99Ms, 2), fixed(r.cpuMsPerOp, 2), fixed(postgresCpu(r), 2),
    `${fixed(r.load[0], 2)}→${fixed(r.load[1], 2)}`,
  ]);
  return markdownTable(header, rows);
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

export interface Target {
  what: string;
  figure: string;
  met: boolean | null;
}

export function targetTable(targets: readonly Target[]): string {
  return markdownTable(
    ['target', 'measured', 'verdict'],
    targets.map((t) => [t.what, t.figure, t.met === null ? 'n/a' : t.met ? 'MET' : 'MISSED']),
  );
}
