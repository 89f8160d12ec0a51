import { ValidationError } from '../common/domain-error';

export enum MetricDirection {
  HIGHER_IS_BETTER = 'HIGHER_IS_BETTER',
  LOWER_IS_BETTER = 'LOWER_IS_BETTER',
}

/** Serving metrics measured by GPU benchmarks; every other metric name is an evaluation benchmark. */
export const BENCHMARK_METRICS = {
  ttft_p50_ms: MetricDirection.LOWER_IS_BETTER,
  ttft_p99_ms: MetricDirection.LOWER_IS_BETTER,
  latency_p50_ms: MetricDirection.LOWER_IS_BETTER,
  latency_p99_ms: MetricDirection.LOWER_IS_BETTER,
  throughput_tokens_per_second: MetricDirection.HIGHER_IS_BETTER,
} as const;

export type BenchmarkMetricName = keyof typeof BENCHMARK_METRICS;

export type LeaderboardMetric =
  | { kind: 'benchmark'; name: BenchmarkMetricName; direction: MetricDirection }
  | { kind: 'evaluation'; name: string; direction: MetricDirection };

const EVALUATION_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function isBenchmarkMetric(name: string): name is BenchmarkMetricName {
  return Object.prototype.hasOwnProperty.call(BENCHMARK_METRICS, name);
}

export function normaliseEvaluationName(raw: string, field = 'benchmark'): string {
  const name = raw.trim().toLowerCase();
  if (!EVALUATION_NAME.test(name)) {
    throw new ValidationError(field, 'must be a benchmark name such as mmlu, humaneval or mt_bench');
  }
  return name;
}

export function resolveLeaderboardMetric(raw: string): LeaderboardMetric {
  const name = raw.trim().toLowerCase();
  if (isBenchmarkMetric(name)) return { kind: 'benchmark', name, direction: BENCHMARK_METRICS[name] };
  return { kind: 'evaluation', name: normaliseEvaluationName(name, 'metric'), direction: MetricDirection.HIGHER_IS_BETTER };
}
