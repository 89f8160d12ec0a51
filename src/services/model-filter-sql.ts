import type { ValidModelFilter, ValidEvidenceOrder } from '../domain/catalog/model-query';
import type { ValidBenchmarkCondition, ValidEvaluationCondition } from '../domain/catalog/evidence-filter';
import { metricsOffScale } from '../domain/measurements/score-ranges';
import { PROJECT_SQL } from '../domain/governance/project';

/**
 * Binds one value and answers its placeholder (`:f3` for TypeORM's query builder, `$3` for a plain query). The
 * compiled text holds only fixed fragments and placeholders: nothing the caller typed is ever part of the SQL.
 */
export type Bind = (value: unknown) => string;

export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A filter tree as one SQL condition over the models alias `m`. Under a `not`, a leaf that may be NULL (a model
 * without an owner, an architecture or a size) is made false first, so `not` is the exact complement of what it
 * wraps; elsewhere leaves stay bare so their indexes apply. Evidence conditions are `m.id IN (subquery)`: never
 * NULL, a semi-join at the top and a hashed subplan the database computes once inside an `or` or a `not`.
 */
export function filterCondition(filter: ValidModelFilter, bind: Bind, underNot = false): string {
  const parts = leafConditions(filter, bind).map((c) => (underNot ? `COALESCE(${c}, false)` : c));
  if (filter.evaluation) parts.push(evaluationCondition(filter.evaluation, bind));
  if (filter.benchmark) parts.push(benchmarkCondition(filter.benchmark, bind));
  for (const child of filter.and) parts.push(filterCondition(child, bind, underNot));
  if (filter.or.length) parts.push(`(${filter.or.map((child) => filterCondition(child, bind, underNot)).join(' OR ')})`);
  if (filter.not) parts.push(`NOT ${filterCondition(filter.not, bind, true)}`);
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
}

function leafConditions(filter: ValidModelFilter, bind: Bind): string[] {
  const out: string[] = [];
  const search = filter.search?.trim().toLowerCase();
  if (search) {
    // `tags @> ARRAY[term]`, not `term = ANY(tags)`: only the former can use the GIN index, and an OR with an
    // unindexable side turns every search into a scan of the whole table (80+ ms at 100,000 models).
    out.push(`(m.search_text LIKE ${bind(`%${escapeLike(search)}%`)} OR m.tags @> ARRAY[CAST(${bind(search)} AS text)])`);
  }
  if (filter.architecture) out.push(`lower(m.architecture) = lower(${bind(filter.architecture)})`);
  if (filter.sourceType) out.push(`m.source_type = ${bind(filter.sourceType)}`);
  if (filter.tags?.length) out.push(`m.tags @> CAST(${bind(filter.tags.map((t) => t.toLowerCase()))} AS text[])`);
  if (filter.license) out.push(`lower(m.license_id) = lower(${bind(filter.license)})`);
  if (filter.status?.length) out.push(`m.status = ANY(CAST(${bind([...filter.status])} AS text[]))`);
  if (filter.minParameters != null) out.push(`m.parameter_count >= CAST(${bind(filter.minParameters.toString())} AS bigint)`);
  if (filter.maxParameters != null) out.push(`m.parameter_count <= CAST(${bind(filter.maxParameters.toString())} AS bigint)`);
  if (filter.modality) {
    const modality = bind(filter.modality);
    out.push(`(m.input_modalities @> ARRAY[CAST(${modality} AS text)] OR m.output_modalities @> ARRAY[CAST(${modality} AS text)])`);
  }
  if (filter.endpoint) out.push(`m.endpoints @> ARRAY[CAST(${bind(filter.endpoint)} AS text)]`);
  if (filter.owner) out.push(`m.owner = ${bind(filter.owner)}`);
  if (filter.project) out.push(`${PROJECT_SQL('m')} = ${bind(filter.project)}`);
  return out;
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

function evaluationCondition(c: ValidEvaluationCondition, bind: Bind): string {
  return `m.id IN (SELECT e.model_id ${evaluationRows(c, bind)})`;
}

function benchmarkCondition(c: ValidBenchmarkCondition, bind: Bind): string {
  return `m.id IN (SELECT b.model_id ${benchmarkRows(c, bind)})`;
}

/** The best counted value of the model `m` for an evidence ordering: `(SELECT value …)`, to join LATERAL as `k`. */
export function evidenceBestOf(order: ValidEvidenceOrder, bind: Bind): string {
  const best = order.direction === 'DESC' ? 'max' : 'min';
  if (order.evaluation) return `(SELECT ${best}(e.score) AS value ${evaluationRows(order.evaluation, bind)} AND e.model_id = m.id)`;
  const c = order.benchmark!;
  return `(SELECT ${best}(b.${c.column}) AS value ${benchmarkRows(c, bind)} AND b.model_id = m.id)`;
}

/**
 * Every model's best counted value at once, grouped from the metric's index: `(SELECT model_id, value …)`, to join as
 * `k`. Cheaper than a probe per model when nothing else narrows the models (a probe each would read them all).
 */
export function evidenceBestOfAll(order: ValidEvidenceOrder, bind: Bind): string {
  const best = order.direction === 'DESC' ? 'max' : 'min';
  if (order.evaluation) return `(SELECT e.model_id, ${best}(e.score) AS value ${evaluationRows(order.evaluation, bind)} GROUP BY e.model_id)`;
  const c = order.benchmark!;
  return `(SELECT b.model_id, ${best}(b.${c.column}) AS value ${benchmarkRows(c, bind)} GROUP BY b.model_id)`;
}

/** The models an evidence ordering lists: those with a counted result for its metric. */
export function evidenceHeldBy(order: ValidEvidenceOrder, bind: Bind): string {
  if (order.evaluation) return `m.id IN (SELECT e.model_id ${evaluationRows(order.evaluation, bind)})`;
  return `m.id IN (SELECT b.model_id ${benchmarkRows(order.benchmark!, bind)})`;
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
