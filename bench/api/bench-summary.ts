import type { BenchPlan } from './bench-plan';
import type { LoadResult } from './load-runner';
import { mib, postgresCpu, type Target, targetTable } from './report-table';
import type { MutationStatements } from './round-trips';
import type { FanOutResult } from './subscriber-fanout';

const MiB = 1024 * 1024;

function find(results: readonly LoadResult[], name: string, system: string): LoadResult | undefined {
  return results.find((r) => r.name.startsWith(name) && r.system === system);
}

/** Statements PostgreSQL ran per write: ours per mutation, MLflow's per REST call when it ran. */
export interface WriteStatements {
  register: MutationStatements;
  version: MutationStatements;
  mlflow: { register: MutationStatements; version: MutationStatements } | null;
}

/** Ratios and the issue's targets, from the same run's figures (printed, never asserted). */
export function summarize(input: {
  plan: BenchPlan;
  results: readonly LoadResult[];
  fanOut: FanOutResult | null;
  roundTrips: { five: number; fifty: number } | null;
  writeStatements: WriteStatements | null;
  /** The API's RSS summed over its processes (primary and API_PROCESSES workers), and the largest one process's. */
  apiPeakRss: number;
  apiProcessPeakRss: number;
  /** One per search term class and page (search-table.ts). */
  searchTargets: readonly Target[];
}): string {
  const { results, fanOut, roundTrips } = input;
  const ours = (name: string) => find(results, name, 'ModelHub');
  const writes = ours('register');
  const mlWrites = find(results, 'register', 'MLflow');
  const page = ours('tag page');
  const raw = find(results, 'tag page', 'raw SQL (pg)');
  const mlPage = find(results, 'tag page', 'MLflow');
  const ratio = (a?: LoadResult, b?: LoadResult) => (a && b ? a.throughput / b.throughput : Number.NaN);
  const targets: Target[] = [];
  const writeRatio = ratio(writes, mlWrites);
  targets.push({
    what: 'writes ≥ 5× MLflow throughput, lower p99',
    figure: mlWrites ? `${writeRatio.toFixed(2)}×, p99 ${writes!.p99Ms.toFixed(1)} vs ${mlWrites.p99Ms.toFixed(1)} ms` : 'MLflow not run',
    met: mlWrites ? writeRatio >= 5 && writes!.p99Ms < mlWrites.p99Ms : null,
  });
  const ws = input.writeStatements;
  const ms = (r: LoadResult | undefined, pick: (x: LoadResult) => number) => (r ? pick(r).toFixed(2) : '—');
  const counted = (s: MutationStatements) => s.perCall!.toFixed(1);
  targets.push({
    what: 'SQL statements per registerModel / createVersion (printed)',
    figure: ws
      ? `${counted(ws.register)} / ${counted(ws.version)}${ws.mlflow ? ` (MLflow ${counted(ws.mlflow.register)} / ${counted(ws.mlflow.version)})` : ''}; ` +
        `CPU/op ${ms(writes, (r) => r.cpuMsPerOp)} vs MLflow ${ms(mlWrites, (r) => r.cpuMsPerOp)} ms, of which PostgreSQL ${ms(writes, postgresCpu)} vs ${ms(mlWrites, postgresCpu)} ms`
      : 'not counted (no pg_stat_statements)',
    met: null,
  });
  if (mlPage) targets.push({ what: 'tag page vs MLflow (informational)', figure: `${ratio(page, mlPage).toFixed(2)}×`, met: null });
  const readRatio = ratio(page, raw);
  if (page && raw) targets.push({ what: 'read page ≥ 0.5× raw SQL', figure: `${readRatio.toFixed(2)}×`, met: readRatio >= 0.5 });
  targets.push({
    what: 'SQL statements per page, first: 5 = first: 50',
    figure: roundTrips ? `${roundTrips.five.toFixed(1)} vs ${roundTrips.fifty.toFixed(1)}` : 'not measured in --quick (test/integration/query-count.test.ts asserts it)',
    met: roundTrips ? Math.round(roundTrips.five) === Math.round(roundTrips.fifty) : null,
  });
  targets.push(...input.searchTargets);
  // Issue 26: every combination of the filter language answered from indexes, p99 < 50 ms at 100k models.
  for (const f of results.filter((r) => r.name.startsWith('filter:') || r.name.startsWith('order by'))) {
    targets.push({ what: `${f.name} p99 < 50 ms`, figure: `${f.p99Ms.toFixed(1)} ms (load ${f.load[1].toFixed(1)})`, met: f.p99Ms < 50 && f.errors === 0 });
  }
  if (fanOut) targets.push({
    what: `${fanOut.subscribers} subscribers get every event, NOTIFY→delivery p99 < 100 ms`,
    figure: `${fanOut.delivered}/${fanOut.subscribers * fanOut.events} delivered (${fanOut.stale} without the last), p50 ${fanOut.p50Ms.toFixed(1)} / p99 ${fanOut.p99Ms.toFixed(1)} / max ${fanOut.maxMs.toFixed(1)} ms`,
    met: fanOut.missing === 0 && fanOut.p99Ms < 100,
  });
  targets.push({
    what: `API RSS < 256 MiB throughout (sum over its ${input.plan.apiProcesses} API process(es)${input.plan.apiProcesses > 1 ? ' and the primary' : ''})`,
    figure: `peak ${mib(input.apiPeakRss)} (largest one process ${mib(input.apiProcessPeakRss)})`,
    met: input.apiPeakRss < 256 * MiB,
  });
  return targetTable(targets);
}
