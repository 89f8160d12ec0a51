import { ValidationError } from '../common/domain-error';
import { projectId } from '../governance/project';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR } from '../common/opaque-cursor';
import type { EndpointType, Modality, Provenance, SourceType } from './catalog-enums';
import { MetricDirection } from '../leaderboard/leaderboard-metric';
import {
  type BenchmarkCondition,
  type ServingMetric,
  servingDirection,
  type EvaluationCondition,
  type ValidBenchmarkCondition,
  type ValidEvaluationCondition,
  validateBenchmarkCondition,
  validateEvaluationCondition,
} from './evidence-filter';
import type { LifecycleStage } from '../lifecycle/lifecycle-stage';

export enum ModelOrder {
  CREATED_AT_DESC = 'CREATED_AT_DESC',
  CREATED_AT_ASC = 'CREATED_AT_ASC',
  UPDATED_AT_DESC = 'UPDATED_AT_DESC',
  NAME_ASC = 'NAME_ASC',
  NAME_DESC = 'NAME_DESC',
  PARAMETER_COUNT_DESC = 'PARAMETER_COUNT_DESC',
  PARAMETER_COUNT_ASC = 'PARAMETER_COUNT_ASC',
}

export interface ModelFilter {
  search?: string | null;
  architecture?: string | null;
  sourceType?: SourceType | null;
  tags?: string[] | null;
  license?: string | null;
  status?: LifecycleStage[] | null;
  minParameters?: bigint | null;
  maxParameters?: bigint | null;
  modality?: Modality | null;
  endpoint?: EndpointType | null;
  owner?: string | null;
  project?: string | null;
  /** A result of our runs (by default) on an evaluation, within a score range. */
  evaluation?: EvaluationCondition | null;
  /** A benchmark on a hardware profile whose serving metric lies within a range. */
  benchmark?: BenchmarkCondition | null;
  /** Every one of these, besides this node's own fields. */
  and?: ModelFilter[] | null;
  /** At least one of these. */
  or?: ModelFilter[] | null;
  /** Not this. */
  not?: ModelFilter | null;
}

/** A filter as the query compiler takes it: checked, normalised, within the caps. */
export interface ValidModelFilter extends Omit<ModelFilter, 'evaluation' | 'benchmark' | 'and' | 'or' | 'not'> {
  evaluation: ValidEvaluationCondition | null;
  benchmark: ValidBenchmarkCondition | null;
  and: ValidModelFilter[];
  or: ValidModelFilter[];
  not: ValidModelFilter | null;
}

/**
 * How far a filter nests (the root is level 1: `or: [{ not: { … } }]` is 3 levels), how many entries one `and` or `or`
 * holds, and how many nodes and evidence conditions a whole filter holds: each node is SQL the database plans, and
 * each evidence condition a subquery.
 */
export const FILTER_CAPS = { depth: 5, width: 10, nodes: 50, evidence: 16 } as const;

/** Position of a row in one ordering: the sort key's value and the id that breaks ties. */
export interface Cursor {
  order: ModelOrder;
  value: string | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return encodeOpaqueCursor([cursor.order, cursor.value, cursor.id]);
}

export function decodeCursor(raw: string, expectedOrder: ModelOrder): Cursor {
  // Room for the longest sort value a model has (a display name), base64'd.
  const parsed = decodeOpaqueCursor(raw, 4096);
  if (
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    (parsed[1] !== null && typeof parsed[1] !== 'string') ||
    typeof parsed[2] !== 'string' ||
    !UUID.test(parsed[2])
  ) {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  if (parsed[0] !== expectedOrder) {
    throw new ValidationError('after', `was issued for ordering ${String(parsed[0])}, not ${expectedOrder}`);
  }
  const value = parsed[1] as string | null;
  if (!cursorValueFits(expectedOrder, value)) throw new ValidationError('after', NOT_OUR_CURSOR);
  return { order: expectedOrder, value, id: parsed[2] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BIGINT = /^-?\d{1,19}$/;

/**
 * The sort value must be what this API puts there for the ordering: a well-formed cursor carrying, say, text
 * where a timestamp belongs would otherwise reach SQL's CAST and fail as an internal error.
 */
function cursorValueFits(order: ModelOrder, value: string | null): boolean {
  switch (order) {
    case ModelOrder.CREATED_AT_DESC:
    case ModelOrder.CREATED_AT_ASC:
    case ModelOrder.UPDATED_AT_DESC:
      // Year 0 is a JavaScript date but not a PostgreSQL one.
      return value !== null && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value && !value.startsWith('0000');
    case ModelOrder.PARAMETER_COUNT_DESC:
    case ModelOrder.PARAMETER_COUNT_ASC:
      return value !== null && BIGINT.test(value) && BigInt(value) <= 9_223_372_036_854_775_807n && BigInt(value) >= -1n;
    case ModelOrder.NAME_ASC:
    case ModelOrder.NAME_DESC:
      return value !== null && value.length <= 200 && !value.includes('\0');
    default:
      return false;
  }
}

export function pageSize(first: number | null | undefined, max: number, fallback = 20): number {
  if (first === null || first === undefined) return Math.min(fallback, max);
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new ValidationError('first', `must be between 1 and ${max}`);
  }
  return first;
}

export function validateFilter(filter: ModelFilter): ValidModelFilter {
  const budget = { nodes: 0, evidence: 0 };
  return validateNode(filter, 'filter', 1, budget);
}

function validateNode(filter: ModelFilter, field: string, depth: number, budget: { nodes: number; evidence: number }): ValidModelFilter {
  if (depth > FILTER_CAPS.depth) throw new ValidationError(field, `filters nest at most ${FILTER_CAPS.depth} levels deep (and / or / not)`);
  budget.nodes += 1;
  if (budget.nodes > FILTER_CAPS.nodes) throw new ValidationError(field, `a filter holds at most ${FILTER_CAPS.nodes} nodes in all`);
  if (filter.search !== null && filter.search !== undefined && filter.search.length > 200) {
    throw new ValidationError(`${field}.search`, 'must be at most 200 characters');
  }
  if (filter.minParameters != null && filter.minParameters < 0n) {
    throw new ValidationError(`${field}.minParameters`, 'must not be negative');
  }
  if (filter.minParameters != null && filter.maxParameters != null && filter.minParameters > filter.maxParameters) {
    throw new ValidationError(`${field}.maxParameters`, `must not be below ${field}.minParameters`);
  }
  if (filter.tags && filter.tags.length > 50) throw new ValidationError(`${field}.tags`, 'at most 50 tags');
  // A stored tag is a slug of at most 64 characters (labels()): a longer one could never match.
  for (const [i, tag] of (filter.tags ?? []).entries()) {
    if (tag.length > 64) throw new ValidationError(`${field}.tags[${i}]`, `must be at most 64 characters, as tags are (got ${tag.length})`);
  }
  const evidence = (filter.evaluation ? 1 : 0) + (filter.benchmark ? 1 : 0);
  budget.evidence += evidence;
  if (budget.evidence > FILTER_CAPS.evidence) throw new ValidationError(field, `a filter holds at most ${FILTER_CAPS.evidence} evaluation and benchmark conditions in all`);
  const list = (name: 'and' | 'or'): ValidModelFilter[] => {
    const items = filter[name];
    if (items === null || items === undefined) return [];
    if (items.length === 0) throw new ValidationError(`${field}.${name}`, 'must not be empty (leave it out instead)');
    if (items.length > FILTER_CAPS.width) throw new ValidationError(`${field}.${name}`, `at most ${FILTER_CAPS.width} entries`);
    return items.map((item, i) => validateNode(item, `${field}.${name}[${i}]`, depth + 1, budget));
  };
  const { evaluation, benchmark, not, ...rest } = filter;
  const plain: Omit<ModelFilter, 'evaluation' | 'benchmark' | 'and' | 'or' | 'not'> = { ...rest };
  delete (plain as ModelFilter).and;
  delete (plain as ModelFilter).or;
  return {
    ...plain,
    // Normalised like every stored project, so `project: "Beta"` finds the models of project beta.
    project: filter.project !== null && filter.project !== undefined ? projectId(`${field}.project`, filter.project) : filter.project,
    evaluation: evaluation ? validateEvaluationCondition(`${field}.evaluation`, evaluation) : null,
    benchmark: benchmark ? validateBenchmarkCondition(`${field}.benchmark`, benchmark) : null,
    and: list('and'),
    or: list('or'),
    not: not ? validateNode(not, `${field}.not`, depth + 1, budget) : null,
  };
}

/** Orders models by their best counted result on an evaluation, or on a serving metric of one hardware profile. */
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

/** Position in an evidence ordering: the model's best value and its id. */
export interface EvidenceCursor {
  value: number;
  id: string;
}

export function encodeEvidenceCursor(order: ValidEvidenceOrder, cursor: EvidenceCursor): string {
  return encodeOpaqueCursor(['EVIDENCE', order.key, cursor.value, cursor.id]);
}

export function decodeEvidenceCursor(raw: string, order: ValidEvidenceOrder): EvidenceCursor {
  const parsed = decodeOpaqueCursor(raw, 4096);
  if (parsed.length !== 4 || parsed[0] !== 'EVIDENCE' || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'number' || !Number.isFinite(parsed[2]) || typeof parsed[3] !== 'string' || !UUID.test(parsed[3])) {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  if (parsed[1] !== order.key) throw new ValidationError('after', 'was issued for another ordering');
  return { value: parsed[2], id: parsed[3] };
}
