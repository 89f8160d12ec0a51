import type { ModelFields, ValidModelFilter } from '../domain/catalog/model-query';
import { PROJECT_SQL } from '../domain/governance/project';
import { type Bind, benchmarkRows, escapeLike, evaluationRows, type FilterSubject, treeCondition } from './filter-tree-sql';

/** Models (alias `m`) as a filter tree's subject: the catalog fields, and evidence of any of the model's versions. */
export const MODEL_SUBJECT: FilterSubject<ModelFields> = {
  id: 'm.id',
  evidenceKey: 'model_id',
  ownConditions: (node, bind) => modelFieldConditions(node, bind),
  // A models page walks its order and tests each row (ModelQueryService): a probe of the per-model evidence index
  // per walked row, where a set would read every row of a broad condition first (80,000 for `not mmlu ≥ 0.2`).
  probeEvidence: true,
};

/** A models' filter as one SQL condition over the models alias `m` (filter-tree-sql.ts compiles the tree). */
export function filterCondition(filter: ValidModelFilter, bind: Bind): string {
  return treeCondition(MODEL_SUBJECT, filter, bind);
}

function modelFieldConditions(filter: ModelFields, bind: Bind): string[] {
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

/**
 * The model ids of the evidence the filter requires at its top (an evaluation or benchmark condition of the root),
 * as a query, or null: a page of a narrow evidence range starts from those models instead of searching all of them.
 */
export function drivingEvidence(filter: ValidModelFilter, bind: Bind): string | null {
  if (filter.evaluation) return `SELECT e.model_id ${evaluationRows(filter.evaluation, bind)}`;
  if (filter.benchmark) return `SELECT b.model_id ${benchmarkRows(filter.benchmark, bind)}`;
  return null;
}
