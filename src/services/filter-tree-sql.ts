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
 * leaves stay bare so their indexes apply. Evidence conditions are `id IN (subquery)` (or `EXISTS`, see probeEvidence):
 * never NULL, a semi-join at the top and a hashed subplan (or a probe per row) inside an `or` or a `not`.
 */
export function treeCondition<L extends object>(subject: FilterSubject<L>, filter: ValidTree<L>, bind: Bind, underNot = false): string {
  const parts = subject.ownConditions(filter, bind).map((c) => (typeof c !== 'string' ? c.notNull : underNot ? `COALESCE(${c}, false)` : c));
  const evidence = (alias: 'e' | 'b', rows: string) =>
    subject.probeEvidence ? `EXISTS (SELECT 1 ${rows} AND ${alias}.${subject.evidenceKey} = ${subject.id})` : `${subject.id} IN (SELECT ${alias}.${subject.evidenceKey} ${rows})`;
  if (filter.evaluation) parts.push(evidence('e', evaluationRows(filter.evaluation, bind)));
  if (filter.benchmark) parts.push(evidence('b', benchmarkRows(filter.benchmark, bind)));
  for (const child of filter.and) parts.push(treeCondition(subject, child, bind, underNot));
  if (filter.or.length) parts.push(`(${filter.or.map((child) => treeCondition(subject, child, bind, underNot)).join(' OR ')})`);
  if (filter.not) parts.push(`NOT ${treeCondition(subject, filter.not, bind, true)}`);
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
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
