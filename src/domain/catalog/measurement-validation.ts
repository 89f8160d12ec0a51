import { ValidationError } from '../common/domain-error';
import { intInRange, numberInRange, text } from '../common/field-rules';
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

export function jsonObject(field: string, value: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(field, 'must be a JSON object');
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
  numShots?: number | null;
  details?: Record<string, unknown> | null;
}

export function validateEvaluation(input: EvaluationInput) {
  const score = numberInRange('score', input.score, -1e12, 1e12);
  return {
    benchmark: normaliseEvaluationName(input.benchmark),
    score: score as number,
    numShots: intInRange('numShots', input.numShots, 0, 1000),
    details: jsonObject('details', input.details),
  };
}
