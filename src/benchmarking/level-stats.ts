import type { LatencySummary, LevelMetrics, RequestSample, Slo } from './load-types';

/** Nearest-rank percentile over sorted values (the definition vLLM's and most serving benchmarks use). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null;
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), mean };
}

/** Time per output token after the first: (e2e − ttft) / (tokens − 1); undefined for one-token answers. */
export function tpot(sample: RequestSample): number | null {
  if (sample.ttftMs === null || sample.outputTokens < 2) return null;
  return (sample.e2eMs - sample.ttftMs) / (sample.outputTokens - 1);
}

function meetsSlo(sample: RequestSample, slo: Slo | null | undefined): boolean {
  if (sample.error) return false;
  if (!slo) return true;
  if (slo.ttftMs != null && (sample.ttftMs === null || sample.ttftMs > slo.ttftMs)) return false;
  const perToken = tpot(sample);
  if (slo.tpotMs != null && perToken !== null && perToken > slo.tpotMs) return false;
  return !(slo.e2eMs != null && sample.e2eMs > slo.e2eMs);
}

/**
 * One level's metrics over its measured samples (warm-up excluded by the caller). Throughput divides by the
 * level's wall time, from the first request's start to the last one's end, so idle tails do not inflate it.
 */
export function levelMetrics(concurrency: number, samples: readonly RequestSample[], slo?: Slo | null): LevelMetrics {
  const ok = samples.filter((s) => !s.error);
  const begin = samples.length ? Math.min(...samples.map((s) => s.startMs)) : 0;
  const end = samples.length ? Math.max(...samples.map((s) => s.startMs + s.e2eMs)) : 0;
  const durationS = Math.max((end - begin) / 1000, 1e-9);
  const outputTokens = ok.reduce((sum, s) => sum + s.outputTokens, 0);
  const inputTokens = ok.reduce((sum, s) => sum + (s.inputTokens ?? 0), 0);
  const good = samples.filter((s) => meetsSlo(s, slo)).length;
  return {
    concurrency,
    requests: samples.length,
    errors: samples.length - ok.length,
    errorRate: samples.length ? (samples.length - ok.length) / samples.length : 0,
    durationS: samples.length ? durationS : 0,
    ttftMs: summarize(ok.flatMap((s) => (s.ttftMs === null ? [] : [s.ttftMs]))),
    itlMs: summarize(ok.flatMap((s) => s.itlMs)),
    tpotMs: summarize(ok.flatMap((s) => { const t = tpot(s); return t === null ? [] : [t]; })),
    e2eMs: summarize(ok.map((s) => s.e2eMs)),
    requestsPerSecond: samples.length ? ok.length / durationS : 0,
    outputTokensPerSecond: samples.length ? outputTokens / durationS : 0,
    inputTokensPerSecond: samples.length ? inputTokens / durationS : 0,
    goodput: samples.length ? good / durationS : 0,
    sloAttainment: samples.length ? good / samples.length : 0,
  };
}
