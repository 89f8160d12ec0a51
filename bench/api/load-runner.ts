import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ProcessMeter } from './process-stats';

export interface LoadSpec {
  /** What the row of the table says. */
  name: string;
  /** Who serves it: ModelHub, MLflow or raw SQL. */
  system: string;
  count: number;
  warmup: number;
  concurrency: number;
  /** The processes whose CPU this workload is charged (the server under test). */
  meters: ProcessMeter[];
  /** One operation; `i` is unique across warm-up and measured runs. Throws on an error. */
  run(i: number): Promise<void>;
}

export interface LoadResult {
  name: string;
  system: string;
  count: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU per operation in milliseconds (sum over `meters`). */
  cpuMsPerOp: number;
  /** The machine's 1-minute load average when the measured run started and when it ended. */
  load: [number, number];
  /** CPU per operation per meter, by label (the API and PostgreSQL apart). */
  cpuMsPerOpBy: Map<string, number>;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** `total` calls of `run` with at most `concurrency` in flight; returns each call's latency in ms. */
async function drive(total: number, offset: number, concurrency: number, run: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = offset + next++;
      const start = performance.now();
      try {
        await run(i);
        latencies.push(performance.now() - start);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latencies, errors };
}

/** Warm-up (not measured), then a fixed count at fixed concurrency: throughput, p50/p99, errors, CPU/op. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  await drive(spec.warmup, 0, spec.concurrency, spec.run);
  const cpuBefore = spec.meters.map((m) => m.cpu());
  const loadBefore = os.loadavg()[0];
  const start = performance.now();
  const { latencies, errors } = await drive(spec.count, spec.warmup, spec.concurrency, spec.run);
  const seconds = (performance.now() - start) / 1000;
  const cpuBy = new Map(spec.meters.map((m, i) => [m.label, ((m.cpu() - cpuBefore[i]) * 1000) / spec.count]));
  latencies.sort((a, b) => a - b);
  return {
    name: spec.name,
    system: spec.system,
    count: spec.count,
    errors: errors.length,
    firstError: errors[0] ?? null,
    seconds,
    throughput: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerOp: [...cpuBy.values()].reduce((a, b) => a + b, 0),
    cpuMsPerOpBy: cpuBy,
    load: [loadBefore, os.loadavg()[0]],
  };
}
