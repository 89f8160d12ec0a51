import { ValidationError } from '../common/domain-error';
import { text } from '../common/field-rules';
import { normaliseEvaluationName, type BenchmarkMetricName, BENCHMARK_METRICS, MetricDirection } from '../leaderboard/leaderboard-metric';
import { checkInRange, recordedScoreRange, type ScoreRange } from '../measurements/score-ranges';
import { Provenance } from './catalog-enums';

/** The serving figures a benchmark row summarises, as the filter and the ordering name them. */
export enum ServingMetric {
  TTFT_P50_MS = 'TTFT_P50_MS',
  TTFT_P99_MS = 'TTFT_P99_MS',
  LATENCY_P50_MS = 'LATENCY_P50_MS',
  LATENCY_P99_MS = 'LATENCY_P99_MS',
  THROUGHPUT_TOKENS_PER_SECOND = 'THROUGHPUT_TOKENS_PER_SECOND',
}

/** The column of each serving metric: a fixed map, so no name from the caller ever reaches SQL text. */
export const SERVING_COLUMN: ReadonlyMap<ServingMetric, BenchmarkMetricName> = new Map([
  [ServingMetric.TTFT_P50_MS, 'ttft_p50_ms'],
  [ServingMetric.TTFT_P99_MS, 'ttft_p99_ms'],
  [ServingMetric.LATENCY_P50_MS, 'latency_p50_ms'],
  [ServingMetric.LATENCY_P99_MS, 'latency_p99_ms'],
  [ServingMetric.THROUGHPUT_TOKENS_PER_SECOND, 'throughput_tokens_per_second'],
]);

export function servingColumn(metric: ServingMetric): BenchmarkMetricName {
  const column = SERVING_COLUMN.get(metric);
  if (!column) throw new ValidationError('metric', `must be one of ${[...SERVING_COLUMN.keys()].join(', ')}`);
  return column;
}

export function servingDirection(metric: ServingMetric): MetricDirection {
  return BENCHMARK_METRICS[servingColumn(metric)];
}

/** What counts as evidence when nothing is said: our own runs only. */
export const DEFAULT_EVIDENCE: readonly Provenance[] = [Provenance.MEASURED];

/** A model with an evaluation result of `benchmark` (and `metric`) within [min, max], of these provenances. */
export interface EvaluationCondition {
  benchmark: string;
  metric?: string | null;
  min?: number | null;
  max?: number | null;
  provenances?: Provenance[] | null;
}

/** A model with a benchmark on `hardwareProfile` whose `metric` lies within [min, max], of these provenances. */
export interface BenchmarkCondition {
  metric: ServingMetric;
  hardwareProfile: string;
  min?: number | null;
  max?: number | null;
  provenances?: Provenance[] | null;
}

export interface ValidEvaluationCondition {
  benchmark: string;
  metric: string | null;
  min: number | null;
  max: number | null;
  provenances: Provenance[];
}

export interface ValidBenchmarkCondition {
  column: BenchmarkMetricName;
  hardwareProfile: string;
  min: number | null;
  max: number | null;
  provenances: Provenance[];
}

const NON_NEGATIVE: ScoreRange = { min: 0, max: Infinity, kind: 'a non-negative quantity' };
const METRIC_NAME = /^[a-z0-9][a-z0-9._,@-]{0,63}$/;

export function provenancesOf(field: string, given: readonly Provenance[] | null | undefined): Provenance[] {
  if (given === null || given === undefined) return [...DEFAULT_EVIDENCE];
  if (given.length === 0) throw new ValidationError(field, 'name at least one provenance (or leave it out: MEASURED)');
  const valid = new Set(Object.values(Provenance) as string[]);
  for (const p of given) if (!valid.has(p)) throw new ValidationError(field, 'must be MEASURED, RECORDED or REPORTED');
  return [...new Set(given)].sort();
}

function bounds(field: string, min: number | null | undefined, max: number | null | undefined, range: ScoreRange, subject: string): [number | null, number | null] {
  const lo = min === null || min === undefined ? null : checkInRange(`${field}.min`, min, range, subject);
  const hi = max === null || max === undefined ? null : checkInRange(`${field}.max`, max, range, subject);
  if (lo !== null && hi !== null && lo > hi) throw new ValidationError(`${field}.max`, `must not be below ${field}.min`);
  return [lo, hi];
}

export function validateEvaluationCondition(field: string, c: EvaluationCondition): ValidEvaluationCondition {
  const benchmark = normaliseEvaluationName(c.benchmark, `${field}.benchmark`);
  let metric: string | null = null;
  if (c.metric !== null && c.metric !== undefined) {
    metric = c.metric.trim().toLowerCase();
    if (!METRIC_NAME.test(metric)) throw new ValidationError(`${field}.metric`, 'must be a metric name such as acc, exact_match or pass@1');
  }
  const [min, max] = bounds(field, c.min, c.max, recordedScoreRange(benchmark, metric), metric ? `${benchmark} ${metric}` : benchmark);
  return { benchmark, metric, min, max, provenances: provenancesOf(`${field}.provenances`, c.provenances) };
}

export function validateBenchmarkCondition(field: string, c: BenchmarkCondition): ValidBenchmarkCondition {
  const column = servingColumn(c.metric);
  const hardwareProfile = text(`${field}.hardwareProfile`, c.hardwareProfile, 300, { min: 1 });
  const [min, max] = bounds(field, c.min, c.max, NON_NEGATIVE, c.metric);
  return { column, hardwareProfile, min, max, provenances: provenancesOf(`${field}.provenances`, c.provenances) };
}
