/** How much each workload does: the full run for RESULTS.md, `--quick` for CI (figures printed, not asserted). */
export interface BenchPlan {
  quick: boolean;
  concurrency: number;
  /** The catalog sizes the search table is measured at, smallest first (the catalog grows between them). */
  scales: number[];
  /** The size at which writes, the page, and the filter language run (one of `scales`). */
  bulkModels: number;
  pageModels: number;
  writes: number;
  reads: number;
  searches: number;
  warmup: number;
  subscribers: number;
  events: number;
  eventGapMs: number;
  mlflow: boolean;
  mlflowWorkers: number;
  /**
   * API_PROCESSES of the API under test: 1, as `npm start` runs it by default and as measured fastest on the 2-core
   * bench machine (PostgreSQL and the load generator share the cores; README "Several API processes on one host").
   * `--api-processes=N` to compare; MLflow keeps `--workers <cores>`, its own recommendation.
   */
  apiProcesses: number;
  cpuProfDir: string | null;
  /**
   * `--only=writes,page,search,filters,fanout`: the workloads to run (all when absent), e.g. to profile one;
   * `--scales=100k,1m` the search table's sizes, `--search-ops=N` operations per search and filter row.
   */
  runs(workload: 'writes' | 'page' | 'search' | 'filters' | 'fanout'): boolean;
}

export function planFrom(argv: readonly string[], cores: number): BenchPlan {
  const quick = argv.includes('--quick');
  const prof = argv.find((a) => a.startsWith('--cpu-prof'));
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const scaleArg = argv.find((a) => a.startsWith('--scales='))?.slice('--scales='.length).split(',').map(catalogSize);
  const scales = [...new Set(scaleArg ?? (quick ? [10_000] : [10_000, 100_000, 1_000_000]))].sort((a, b) => a - b);
  const searchOps = argv.find((a) => a.startsWith('--search-ops='));
  const bulkModels = scales.includes(100_000) ? 100_000 : scales[0];
  return {
    quick,
    concurrency: 8,
    scales,
    bulkModels,
    pageModels: 60,
    writes: quick ? 100 : 1000,
    reads: quick ? 100 : 1000,
    searches: searchOps ? Number(searchOps.split('=')[1]) : quick ? 60 : 1000,
    warmup: quick ? 10 : 50,
    subscribers: quick ? 200 : 1000,
    events: quick ? 5 : 20,
    eventGapMs: 200,
    // In CI the MLflow peer runs only when its virtualenv already exists (the pip install takes minutes).
    mlflow: !argv.includes('--no-mlflow'),
    mlflowWorkers: cores,
    apiProcesses: apiProcessesArg(argv) ?? 1,
    cpuProfDir: prof ? (prof.split('=')[1] ?? 'bench-profiles') : null,
    runs: (workload) => !only || only.includes(workload),
  };
}

/** `10k`, `100k`, `1m` or a plain number. */
function catalogSize(text: string): number {
  const match = /^(\d+)(k|m)?$/i.exec(text.trim());
  if (!match) throw new Error(`--scales: ${text} is not a catalog size (10k, 100k, 1m)`);
  return Number(match[1]) * (match[2]?.toLowerCase() === 'm' ? 1_000_000 : match[2] ? 1000 : 1);
}

function apiProcessesArg(argv: readonly string[]): number | null {
  const raw = argv.find((a) => a.startsWith('--api-processes='))?.slice('--api-processes='.length);
  if (raw === undefined) return null;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--api-processes must be a positive integer, got "${raw}"`);
  return value;
}
