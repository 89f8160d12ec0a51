import { SignatureState, type ValidVersionFilter, type VersionFields } from '../domain/catalog/version-query';
import { PROJECT_SQL } from '../domain/governance/project';
import { type Bind, type FilterSubject, type OwnCondition, treeCondition } from './filter-tree-sql';

/**
 * Versions (alias `v`, no join) as a filter tree's subject: the version's own fields, its model's name, tags and
 * project, and the version's own evidence (`version_id` of evaluations and benchmarks).
 */
export const VERSION_SUBJECT: FilterSubject<VersionFields> = { id: 'v.id', evidenceKey: 'version_id', ownConditions: (node, bind) => versionFieldConditions(node, bind) };

/** A versions' filter as one SQL condition over `v` (filter-tree-sql.ts compiles the tree). */
export function versionFilterCondition(filter: ValidVersionFilter, bind: Bind): string {
  return treeCondition(VERSION_SUBJECT, filter, bind);
}

/**
 * Versions whose latest scan (rescans add rows; the newest is the verdict) ended in one of `statuses`: a scan of that
 * status with none newer. Written as a semi-join with an anti-join inside, so the planner may either probe each
 * version (walking a page in creation order) or build the set once (a count, an `or`), from one covering index.
 */
function latestScanIn(statuses: string): string {
  return `EXISTS (SELECT 1 FROM scan_results s WHERE s.version_id = v.id AND s.status = ANY(CAST(${statuses} AS text[]))
    AND NOT EXISTS (SELECT 1 FROM scan_results n WHERE n.version_id = s.version_id AND (n.started_at, n.id) > (s.started_at, s.id)))`;
}

/** Versions whose upstream signature is in one of the states; the signatures' key is (version, origin): one row at most. */
function signatureIn(states: readonly SignatureState[]): string {
  const upstream = (extra: string) => `v.id IN (SELECT g.version_id FROM version_signatures g WHERE g.origin = 'UPSTREAM'${extra})`;
  const parts = [...new Set(states)].map((state) =>
    state === SignatureState.VALID ? upstream(' AND g.valid') : state === SignatureState.INVALID ? upstream(' AND NOT g.valid') : `NOT ${upstream('')}`,
  );
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/**
 * The versions of the models matching a condition over `m`. A semi-join, not a join of the models in the statement:
 * with the models joined, a condition mixing the two sides (`or: [{ tags }, { evaluation }]`) became a join filter
 * and PostgreSQL nested-looped over every model for each version (5.5 s at 100k versions); as a set of model ids it
 * is one hashed lookup wherever it sits in the tree.
 */
export function ofModels(condition: string): string {
  return `v.model_id IN (SELECT m.id FROM models m WHERE ${condition})`;
}

function versionFieldConditions(filter: VersionFields, bind: Bind): OwnCondition[] {
  // Every condition but the source's is over NOT NULL columns or a subquery: never NULL (see OwnCondition).
  const out: OwnCondition[] = [];
  const never = (sql: string) => out.push({ notNull: sql });
  if (filter.stages) never(`v.status = ANY(CAST(${bind([...filter.stages])} AS text[]))`);
  if (filter.model) never(ofModels(`m.name = ${bind(filter.model)}`));
  if (filter.tags?.length) never(ofModels(`m.tags @> CAST(${bind(filter.tags)} AS text[])`));
  if (filter.project) never(ofModels(`${PROJECT_SQL('m')} = ${bind(filter.project)}`));
  if (filter.createdSince) never(`v.created_at >= CAST(${bind(filter.createdSince.toISOString())} AS timestamptz)`);
  if (filter.createdBefore) never(`v.created_at < CAST(${bind(filter.createdBefore.toISOString())} AS timestamptz)`);
  if (filter.prerelease != null) never(filter.prerelease ? 'v.prerelease IS NOT NULL' : 'v.prerelease IS NULL');
  if (filter.signature) never(signatureIn(filter.signature));
  if (filter.scanStatus) never(latestScanIn(bind([...filter.scanStatus])));
  if (filter.sourceType) out.push(`v.source ->> 'type' = ${bind(filter.sourceType)}`);
  return out;
}
