import type { LoadResult } from './load-runner';
import { markdownTable, type Target } from './report-table';
import { label, type SearchSpec } from './search-workloads';

export interface SearchFigure {
  spec: Pick<SearchSpec, 'termClass' | 'page' | 'scale'>;
  result: LoadResult;
}

const LIMIT_MS = 50;
const FLAT = 1.5;

function cell(r: LoadResult | undefined): string {
  if (!r) return '—';
  const cpu = [...r.cpuMsPerOpBy.entries()].map(([who, ms]) => `${ms.toFixed(1)} ${who.startsWith('PostgreSQL') ? 'PG' : 'API'}`).join(' + ');
  return `${r.p99Ms.toFixed(1)} ms (CPU ${cpu}; load ${r.load[1].toFixed(1)})${r.errors ? ` ${r.errors} errors` : ''}`;
}

/**
 * Issue 20's search target, one row per term class and page: p99 at each catalog size (CPU per operation of the API
 * and of PostgreSQL, and the load average, beside it), the 1M ÷ 100k ratio, and the verdict: p99 < 50 ms at 100k
 * and at 1M and the 1M figure within 1.5× of the 100k one (with fewer sizes measured, p99 < 50 ms at those).
 */
export function searchTable(figures: readonly SearchFigure[], scales: readonly number[]): { table: string; targets: Target[] } {
  const keys = [...new Set(figures.map((f) => `${f.spec.termClass}\u0000${f.spec.page}`))];
  const targets: Target[] = [];
  const rows = keys.map((key) => {
    const [termClass, page] = key.split('\u0000');
    const at = (scale: number) => figures.find((f) => f.spec.termClass === termClass && String(f.spec.page) === page && f.spec.scale === scale)?.result;
    const measured = scales.map(at).filter((r): r is LoadResult => !!r);
    const [k100, m1] = [at(100_000), at(1_000_000)];
    const ratio = k100 && m1 ? m1.p99Ms / k100.p99Ms : null;
    const inTime = measured.every((r) => r.p99Ms < LIMIT_MS && r.errors === 0);
    const met = k100 && m1 ? inTime && ratio! <= FLAT : measured.length ? inTime : null;
    const what = `search "${termClass}" page ${page}: p99 < ${LIMIT_MS} ms${k100 && m1 ? `, 1M ≤ ${FLAT}× 100k` : ` at ${measured.map((r) => label(figures.find((f) => f.result === r)!.spec.scale)).join(', ')}`}`;
    targets.push({ what, figure: measured.map((r) => `${r.p99Ms.toFixed(1)} ms`).join(' / ') + (ratio ? ` (${ratio.toFixed(2)}×)` : ''), met });
    return [termClass, page, ...scales.map((s) => cell(at(s))), ratio ? `${ratio.toFixed(2)}×` : '—', met === null ? 'n/a' : met ? 'MET' : 'MISSED'];
  });
  const header = ['term class', 'page', ...scales.map((s) => `${label(s)}: p99 (CPU/op)`), '1M ÷ 100k', 'verdict'];
  return { table: markdownTable(header, rows), targets };
}
