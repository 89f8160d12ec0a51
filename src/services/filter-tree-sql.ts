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
  return `FROM evaluations e WHERE ${evaluationConditions(c, bind, 'e').join(' AND ')}`;
}

/** What makes an evaluations row (alias `alias`) count for a condition or an ordering. */
function evaluationConditions(c: ValidEvaluationCondition, bind: Bind, alias: string): string[] {
  const where = [`${alias}.benchmark = ${bind(c.benchmark)}`, `${alias}.provenance = ANY(CAST(${bind(c.provenances)} AS text[]))`];
  // One scale per condition: without a metric, rows recorded on another scale (a perplexity under mmlu) never match.
  if (c.metric) where.push(`${alias}.metric = ${bind(c.metric)}`);
  else where.push(`(${alias}.metric IS NULL OR NOT (${alias}.metric = ANY(CAST(${bind(metricsOffScale(c.benchmark))} AS text[]))))`);
  if (c.min !== null) where.push(`${alias}.score >= CAST(${bind(c.min)} AS float8)`);
  if (c.max !== null) where.push(`${alias}.score <= CAST(${bind(c.max)} AS float8)`);
  return where;
}

/** The benchmarks rows a condition (or an ordering) counts, over alias `b`; `c.column` comes from a fixed map. */
export function benchmarkRows(c: ValidBenchmarkCondition, bind: Bind): string {
  return `FROM benchmarks b WHERE ${benchmarkConditions(c, bind, 'b').join(' AND ')}`;
}

function benchmarkConditions(c: ValidBenchmarkCondition, bind: Bind, alias: string): string[] {
  const where = [`${alias}.hardware_profile = ${bind(c.hardwareProfile)}`, `${alias}.provenance = ANY(CAST(${bind(c.provenances)} AS text[]))`, `${alias}.${c.column} IS NOT NULL`];
  if (c.min !== null) where.push(`${alias}.${c.column} >= CAST(${bind(c.min)} AS float8)`);
  if (c.max !== null) where.push(`${alias}.${c.column} <= CAST(${bind(c.max)} AS float8)`);
  return where;
}

/**
 * How many subject rows a filter may keep for an evidence ordering to probe each of them (evidenceBestOf) rather
 * than walk the metric's index (evidenceWalk). The services count the filter's rows up to this many first (a few
 * ms at most): a walk reads about page ÷ share rows, so a filter keeping 1 in 100 models (1,000 at 100k) walks
 * 2,000+ index entries and probes a model for each (200+ ms measured), where probing the 1,000 models reads 1,000
 * index ranges (about 10 ms); a broad filter walks a page's worth, where probing would read every model it keeps.
 */
export const EVIDENCE_PROBE_LIMIT = 2000;

/** The best counted value of one subject row for an evidence ordering: `(SELECT value …)`, to join LATERAL as `k`. */
export function evidenceBestOf<L>(subject: FilterSubject<L>, order: ValidEvidenceOrder, bind: Bind): string {
  const fn = order.direction === 'DESC' ? 'max' : 'min';
  if (order.evaluation) return `(SELECT ${fn}(e.score) AS value ${evaluationRows(order.evaluation, bind)} AND e.${subject.evidenceKey} = ${subject.id})`;
  const c = order.benchmark!;
  return `(SELECT ${fn}(b.${c.column}) AS value ${benchmarkRows(c, bind)} AND b.${subject.evidenceKey} = ${subject.id})`;
}

/**
 * An evidence ordering as a walk down the metric's own index, best value first (migration 400: `(benchmark, score,
 * model_id)`, `(hardware_profile, <column>, model_id)` and the same by version): the subject joins `table alias` on
 * `key`, and `conditions` keep only counted rows that are their subject's best (no better counted row of the same
 * subject; of equal ones the lowest row id), so every subject appears once, at its best value. Sort and keyset page
 * on (`value`, `key`) and the planner can stop after a page's rows: ordering a 100k catalog by its best mmlu reads a
 * page's worth of index entries (a tag filter: about 1 in 20 of them kept), where grouping every subject's best
 * first read all 100k each time. A narrow filter instead drives from the subjects and probes their rows.
 */
export interface EvidenceWalk {
  table: string;
  alias: 'e' | 'b';
  key: string;
  value: string;
  conditions: string[];
}

export function evidenceWalk<L>(subject: FilterSubject<L>, order: ValidEvidenceOrder, bind: Bind): EvidenceWalk {
  const better = order.direction === 'DESC' ? '>' : '<';
  const walk = (alias: 'e' | 'b', table: string, column: string, conditionsOf: (a: string) => string[]): EvidenceWalk => {
    const key = `${alias}.${subject.evidenceKey}`;
    const value = `${alias}.${column}`;
    const rival = `x.${subject.evidenceKey} = ${key} AND (x.${column} ${better} ${value} OR (x.${column} = ${value} AND x.id < ${alias}.id))`;
    return { table, alias, key, value, conditions: [...conditionsOf(alias), `NOT EXISTS (SELECT 1 FROM ${table} x WHERE ${[...conditionsOf('x'), rival].join(' AND ')})`] };
  };
  if (order.evaluation) return walk('e', 'evaluations', 'score', (a) => evaluationConditions(order.evaluation!, bind, a));
  const c = order.benchmark!;
  return walk('b', 'benchmarks', c.column, (a) => benchmarkConditions(c, bind, a));
}

/** The keyset condition of an evidence ordering after the cursor's (value, id), over the SQL of the value and the id. */
export function evidenceAfter(value: string, id: string, direction: 'ASC' | 'DESC', cursor: { value: number; id: string }, bind: Bind): string {
  return `(${value}, ${id}) ${direction === 'ASC' ? '>' : '<'} (CAST(${bind(cursor.value)} AS float8), CAST(${bind(cursor.id)} AS uuid))`;
}

/** The subject rows an evidence ordering lists: those with a counted result for its metric. */
export function evidenceHeldBy<L>(subject: FilterSubject<L>, order: ValidEvidenceOrder, bind: Bind): string {
  const [alias, rows] = order.evaluation ? ['e', evaluationRows(order.evaluation, bind)] : ['b', benchmarkRows(order.benchmark!, bind)];
  return `${subject.id} IN (SELECT ${alias}.${subject.evidenceKey} ${rows})`;
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
