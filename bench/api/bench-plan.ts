/** How much each workload does: the full run for RESULTS.md, `--quick` for CI (figures printed, not asserted). */
export interface BenchPlan {
  quick: boolean;
  concurrency: number;
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
  cpuProfDir: string | null;
  /** `--only=writes,page,search,filters,fanout`: the workloads to run (all when absent), e.g. to profile one. */
  runs(workload: 'writes' | 'page' | 'search' | 'filters' | 'fanout'): boolean;
}

export function planFrom(argv: readonly string[], cores: number): BenchPlan {
  const quick = argv.includes('--quick');
  const prof = argv.find((a) => a.startsWith('--cpu-prof'));
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  return {
    quick,
    concurrency: 8,
    bulkModels: quick ? 10_000 : 100_000,
    pageModels: 60,
    writes: quick ? 100 : 1000,
    reads: quick ? 100 : 1000,
    searches: quick ? 100 : 1000,
    warmup: quick ? 10 : 50,
    subscribers: quick ? 200 : 1000,
    events: quick ? 5 : 20,
    eventGapMs: 200,
    // In CI the MLflow peer runs only when its virtualenv already exists (the pip install takes minutes).
    mlflow: !argv.includes('--no-mlflow'),
    mlflowWorkers: cores,
    cpuProfDir: prof ? (prof.split('=')[1] ?? 'bench-profiles') : null,
    runs: (workload) => !only || only.includes(workload),
  };
}
