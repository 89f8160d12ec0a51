import { ValidationError } from '../common/domain-error';
import { intInRange, numberInRange, text } from '../common/field-rules';
import { checkInRange, recordedScoreRange } from '../measurements/score-ranges';
import { normaliseEvaluationName } from '../leaderboard/leaderboard-metric';
import type { BenchmarkMetrics } from './catalog-records';

const MAX_CONFIG_BYTES = 16_384;
const MAX_MS = 86_400_000;

export interface BenchmarkInput extends Partial<BenchmarkMetrics> {
  hardwareProfile: string;
  configuration?: Record<string, unknown> | null;
}

export interface ValidBenchmark extends BenchmarkMetrics {
  hardwareProfile: string;
  configuration: Record<string, unknown>;
}

/** Deeper than this is refused before anything recurses over it (a 100,000-deep object overflowed JSON.stringify). */
export const MAX_JSON_DEPTH = 32;

/** How deep a JSON value nests, counted without recursion and stopping past `limit`. */
function depthOver(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

export function jsonObject(field: string, value: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(field, 'must be a JSON object');
  if (depthOver(value, MAX_JSON_DEPTH)) throw new ValidationError(field, `must nest at most ${MAX_JSON_DEPTH} levels deep`);
  if (JSON.stringify(value).length > MAX_CONFIG_BYTES) {
    throw new ValidationError(field, `must be at most ${MAX_CONFIG_BYTES} bytes of JSON`);
  }
  return value;
}

export function validateBenchmark(input: BenchmarkInput): ValidBenchmark {
  const metrics: BenchmarkMetrics = {
    ttftP50Ms: numberInRange('ttftP50Ms', input.ttftP50Ms, 0, MAX_MS),
    ttftP99Ms: numberInRange('ttftP99Ms', input.ttftP99Ms, 0, MAX_MS),
    latencyP50Ms: numberInRange('latencyP50Ms', input.latencyP50Ms, 0, MAX_MS),
    latencyP99Ms: numberInRange('latencyP99Ms', input.latencyP99Ms, 0, MAX_MS),
    throughputTokensPerSecond: numberInRange('throughputTokensPerSecond', input.throughputTokensPerSecond, 0, 1e9),
  };
  if (Object.values(metrics).every((v) => v === null)) {
    throw new ValidationError('metrics', 'a benchmark needs at least one measured metric');
  }
  const pairs: [number | null, number | null, string][] = [
    [metrics.ttftP50Ms, metrics.ttftP99Ms, 'ttftP99Ms'],
    [metrics.latencyP50Ms, metrics.latencyP99Ms, 'latencyP99Ms'],
  ];
  for (const [p50, p99, field] of pairs) {
    if (p50 !== null && p99 !== null && p99 < p50) throw new ValidationError(field, 'a P99 cannot be below its P50');
  }
  return {
    ...metrics,
    hardwareProfile: text('hardwareProfile', input.hardwareProfile, 100, { min: 1 }),
    configuration: jsonObject('configuration', input.configuration),
  };
}

export interface EvaluationInput {
  benchmark: string;
  score: number;
  /** acc, exact_match, pass@1, perplexity, rating, …: decides the score's range (see score-ranges). */
  metric?: string | null;
  numShots?: number | null;
  details?: Record<string, unknown> | null;
}

export interface ValidEvaluation {
  benchmark: string;
  metric: string | null;
  score: number;
  numShots: number | null;
  details: Record<string, unknown>;
}

// Metric names as harnesses print them: "acc_norm", "pass@1", lm-eval's "acc,none".
const METRIC_NAME = /^[a-z0-9][a-z0-9@,._-]{0,63}$/;

function metricName(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const name = raw.trim().toLowerCase();
  if (!METRIC_NAME.test(name)) throw new ValidationError('metric', 'must be a metric name such as acc, exact_match, pass@1 or perplexity (at most 64 characters)');
  return name;
}

/**
 * A score typed in by hand: it must lie in its metric's range ([0, 1] unless the metric or evaluation is listed
 * with another, e.g. perplexity [1, ∞), mt_bench [1, 10], Elo unbounded). Nothing else vouches for it.
 */
export function validateEvaluation(input: EvaluationInput): ValidEvaluation {
  const benchmark = normaliseEvaluationName(input.benchmark);
  const metric = metricName(input.metric);
  const range = recordedScoreRange(benchmark, metric);
  return {
    benchmark,
    metric,
    score: checkInRange('score', input.score, range, metric === null ? benchmark : `${benchmark} ${metric}`),
    numShots: intInRange('numShots', input.numShots, 0, 1000),
    details: jsonObject('details', input.details),
  };
}
