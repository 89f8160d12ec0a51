import type { ValidTree } from '../domain/catalog/filter-tree';
import type { ValidEvidenceOrder } from '../domain/catalog/evidence-order';
import type { ValidBenchmarkCondition, ValidEvaluationCondition } from '../domain/catalog/evidence-filter';
import { metricsOffScale } from '../domain/measurements/score-ranges';

/**
 * Binds one value and answers its placeholder (`:f3` for TypeORM's query builder, `$3` for a plain query). The
 * compiled text holds only fixed fragments and placeholders: nothing the caller typed is ever part of the SQL.
 */
export type Bind = (value: unknown) => string;

/**
 * One condition of a node's own fields: SQL that may be NULL (a model without an owner), or `{ notNull }` for SQL
 * that never is (an `EXISTS`, a column declared NOT NULL), which a `not` may then negate bare: `NOT EXISTS` stays an
 * anti-join the planner can probe per row, where `NOT COALESCE(EXISTS …, false)` computes the whole set first.
 */
export type OwnCondition = string | { notNull: string };

/**
 * What a filter tree is compiled over: the rows' id (`m.id`, `v.id`), the column of the evidence tables that names
 * such a row (`model_id`, `version_id`), and the SQL of a node's own fields.
 */
export interface FilterSubject<L> {
  id: string;
  evidenceKey: 'model_id' | 'version_id';
  ownConditions: (node: L, bind: Bind) => OwnCondition[];
  /** Evidence conditions as correlated `EXISTS` probes (one index probe per row tested) instead of `IN` sets. */
  probeEvidence?: boolean;
}

export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A filter tree as one SQL condition over the subject. Under a `not`, a leaf that may be NULL (a model without an
 * owner, a version without a scan) is made false first, so `not` is the exact complement of what it wraps; elsewhere
 * leaves stay bare so their indexes apply. Evidence conditions are never NULL (evidenceCondition).
 */
export function treeCondition<L extends object>(subject: FilterSubject<L>, filter: ValidTree<L>, bind: Bind, underNot = false): string {
  const parts = subject.ownConditions(filter, bind).map((c) => (typeof c !== 'string' ? c.notNull : underNot ? `COALESCE(${c}, false)` : c));
  if (filter.evaluation) parts.push(evidenceCondition(subject, 'e', evaluationRows(filter.evaluation, bind), underNot));
  if (filter.benchmark) parts.push(evidenceCondition(subject, 'b', benchmarkRows(filter.benchmark, bind), underNot));
  for (const child of filter.and) parts.push(treeCondition(subject, child, bind, underNot));
  if (filter.or.length) parts.push(`(${filter.or.map((child) => treeCondition(subject, child, bind, underNot)).join(' OR ')})`);
  if (filter.not) parts.push(`NOT ${treeCondition(subject, filter.not, bind, true)}`);
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
}

/**
 * An evidence condition, never NULL: a correlated `EXISTS` probe for a subject that asks for it (probeEvidence) and,
 * for any subject, under a `not`, where `NOT EXISTS` lets the planner probe only the rows the rest of the filter kept
 * while `NOT (id IN …)` built the whole set first (a model name and not a broad mmlu range at 100k versions: 126 ms as
 * a set, 0.8 ms probed). Elsewhere `id IN (subquery)`: a semi-join at the top, one hashed set inside an `or`.
 */
function evidenceCondition<L>(subject: FilterSubject<L>, alias: 'e' | 'b', rows: string, underNot: boolean): string {
  if (underNot || subject.probeEvidence) return `EXISTS (SELECT 1 ${rows} AND ${alias}.${subject.evidenceKey} = ${subject.id})`;
  return `${subject.id} IN (SELECT ${alias}.${subject.evidenceKey} ${rows})`;
}

/** The evaluations rows a condition (or an ordering) counts, over alias `e`. */
export function evaluationRows(c: ValidEvaluationCondition, bind: Bind): string {
  const where = [`e.benchmark = ${bind(c.benchmark)}`, `e.provenance = ANY(CAST(${bind(c.provenances)} AS text[]))`];
  // One scale per condition: without a metric, rows recorded on another scale (a perplexity under mmlu) never match.
  if (c.metric) where.push(`e.metric = ${bind(c.metric)}`);
  else where.push(`(e.metric IS NULL OR NOT (e.metric = ANY(CAST(${bind(metricsOffScale(c.benchmark))} AS text[]))))`);
  if (c.min !== null) where.push(`e.score >= CAST(${bind(c.min)} AS float8)`);
  if (c.max !== null) where.push(`e.score <= CAST(${bind(c.max)} AS float8)`);
  return `FROM evaluations e WHERE ${where.join(' AND ')}`;
}

/** The benchmarks rows a condition (or an ordering) counts, over alias `b`; `c.column` comes from a fixed map. */
export function benchmarkRows(c: ValidBenchmarkCondition, bind: Bind): string {
  const where = [`b.hardware_profile = ${bind(c.hardwareProfile)}`, `b.provenance = ANY(CAST(${bind(c.provenances)} AS text[]))`, `b.${c.column} IS NOT NULL`];
  if (c.min !== null) where.push(`b.${c.column} >= CAST(${bind(c.min)} AS float8)`);
  if (c.max !== null) where.push(`b.${c.column} <= CAST(${bind(c.max)} AS float8)`);
  return `FROM benchmarks b WHERE ${where.join(' AND ')}`;
}

/** The best value an ordering ranks by (`max(e.score)`, `min(b.ttft_p99_ms)`) and the rows it is taken from. */
function best(order: ValidEvidenceOrder, bind: Bind): { value: string; rows: string; alias: 'e' | 'b' } {
  const fn = order.direction === 'DESC' ? 'max' : 'min';
  if (order.evaluation) return { value: `${fn}(e.score)`, rows: evaluationRows(order.evaluation, bind), alias: 'e' };
  const c = order.benchmark!;
  return { value: `${fn}(b.${c.column})`, rows: benchmarkRows(c, bind), alias: 'b' };
}

/** The best counted value of one subject row for an evidence ordering: `(SELECT value …)`, to join LATERAL as `k`. */
export function evidenceBestOf<L>(subject: FilterSubject<L>, order: ValidEvidenceOrder, bind: Bind): string {
  const b = best(order, bind);
  return `(SELECT ${b.value} AS value ${b.rows} AND ${b.alias}.${subject.evidenceKey} = ${subject.id})`;
}

/**
 * Every subject row's best counted value at once, grouped from the metric's index: `(SELECT key, value …)`, to join
 * as `k` on `k.key`. Cheaper than a probe per row when nothing else narrows them (a probe each would read them all).
 */
export function evidenceBestOfAll<L>(subject: FilterSubject<L>, order: ValidEvidenceOrder, bind: Bind): string {
  const b = best(order, bind);
  return `(SELECT ${b.alias}.${subject.evidenceKey} AS key, ${b.value} AS value ${b.rows} GROUP BY ${b.alias}.${subject.evidenceKey})`;
}

/** The subject rows an evidence ordering lists: those with a counted result for its metric. */
export function evidenceHeldBy<L>(subject: FilterSubject<L>, order: ValidEvidenceOrder, bind: Bind): string {
  const b = best(order, bind);
  return `${subject.id} IN (SELECT ${b.alias}.${subject.evidenceKey} ${b.rows})`;
}

/** A binder for TypeORM's query builder: named parameters `:<prefix>N` collected into `params`. */
export function namedBinder(prefix: string): { bind: Bind; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  let n = 0;
  return {
    params,
    bind: (value) => {
      const name = `${prefix}${n++}`;
      params[name] = value;
      return `:${name}`;
    },
  };
}

/** A binder for a plain query: positional parameters `$N` collected into `params`. */
export function positionalBinder(): { bind: Bind; params: unknown[] } {
  const params: unknown[] = [];
  return {
    params,
    bind: (value) => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}
