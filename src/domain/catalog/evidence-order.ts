import { ValidationError } from '../common/domain-error';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR } from '../common/opaque-cursor';
import { MetricDirection } from '../leaderboard/leaderboard-metric';
import type { Provenance } from './catalog-enums';
import {
  type ServingMetric,
  servingDirection,
  type ValidBenchmarkCondition,
  type ValidEvaluationCondition,
  validateBenchmarkCondition,
  validateEvaluationCondition,
} from './evidence-filter';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Orders models (or versions) by their best counted result on an evaluation, or on a serving metric of one hardware profile. */
export interface EvidenceOrder {
  evaluation?: { benchmark: string; metric?: string | null; provenances?: Provenance[] | null } | null;
  benchmark?: { metric: ServingMetric; hardwareProfile: string; provenances?: Provenance[] | null } | null;
}

export interface ValidEvidenceOrder {
  /** Identifies the ordering in its cursors: a page of one ordering never continues another. */
  key: string;
  evaluation: ValidEvaluationCondition | null;
  benchmark: ValidBenchmarkCondition | null;
  /** Best first: the highest score or throughput, the lowest latency. */
  direction: 'ASC' | 'DESC';
}

export function validateEvidenceOrder(order: EvidenceOrder): ValidEvidenceOrder {
  if (!!order.evaluation === !!order.benchmark) throw new ValidationError('orderByEvidence', 'give exactly one of evaluation or benchmark');
  if (order.evaluation) {
    const evaluation = validateEvaluationCondition('orderByEvidence.evaluation', { ...order.evaluation, min: null, max: null });
    return { key: JSON.stringify(['E', evaluation.benchmark, evaluation.metric, evaluation.provenances]), evaluation, benchmark: null, direction: 'DESC' };
  }
  const given = order.benchmark!;
  const benchmark = validateBenchmarkCondition('orderByEvidence.benchmark', { ...given, min: null, max: null });
  const direction = servingDirection(given.metric) === MetricDirection.HIGHER_IS_BETTER ? 'DESC' : 'ASC';
  return { key: JSON.stringify(['B', benchmark.column, benchmark.hardwareProfile, benchmark.provenances]), evaluation: null, benchmark, direction };
}

/** Position in an evidence ordering: the best value of the model (or version) and its id. */
export interface EvidenceCursor {
  value: number;
  id: string;
}

/** What a cursor pages through: a models' cursor is refused by the versions' list and the other way round. */
export type EvidenceListing = 'EVIDENCE' | 'VERSION_EVIDENCE';

export function encodeEvidenceCursor(order: ValidEvidenceOrder, cursor: EvidenceCursor, listing: EvidenceListing = 'EVIDENCE'): string {
  return encodeOpaqueCursor([listing, order.key, cursor.value, cursor.id]);
}

export function decodeEvidenceCursor(raw: string, order: ValidEvidenceOrder, listing: EvidenceListing = 'EVIDENCE'): EvidenceCursor {
  const parsed = decodeOpaqueCursor(raw, 4096);
  if (parsed.length !== 4 || parsed[0] !== listing || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'number' || !Number.isFinite(parsed[2]) || typeof parsed[3] !== 'string' || !UUID.test(parsed[3])) {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  if (parsed[1] !== order.key) throw new ValidationError('after', 'was issued for another ordering');
  return { value: parsed[2], id: parsed[3] };
}
