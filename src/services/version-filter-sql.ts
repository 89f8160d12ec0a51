import type { ValidVersionFilter, VersionFields } from '../domain/catalog/version-query';
import { PROJECT_SQL } from '../domain/governance/project';
import { type Bind, type FilterSubject, treeCondition } from './filter-tree-sql';

/**
 * Versions (alias `v`, joined to their model `m`) as a filter tree's subject: the version's own fields, its model's
 * name, tags and project, and the version's own evidence (`version_id` of evaluations and benchmarks).
 */
export const VERSION_SUBJECT: FilterSubject<VersionFields> = { id: 'v.id', evidenceKey: 'version_id', ownConditions: (node, bind) => versionFieldConditions(node, bind) };

/** A versions' filter as one SQL condition over `v` and `m` (filter-tree-sql.ts compiles the tree). */
export function versionFilterCondition(filter: ValidVersionFilter, bind: Bind): string {
  return treeCondition(VERSION_SUBJECT, filter, bind);
}

/** The latest scan's status (NULL for a version never scanned): rescans add rows, the newest one is the verdict. */
const LATEST_SCAN = `(SELECT s.status FROM scan_results s WHERE s.version_id = v.id ORDER BY s.started_at DESC, s.id DESC LIMIT 1)`;

/** The upstream signature's state, never NULL: the signatures' key is (version, origin), so at most one row. */
const SIGNATURE_STATE = `COALESCE((SELECT CASE WHEN g.valid THEN 'VALID' ELSE 'INVALID' END FROM version_signatures g WHERE g.version_id = v.id AND g.origin = 'UPSTREAM'), 'UNSIGNED')`;

function versionFieldConditions(filter: VersionFields, bind: Bind): string[] {
  const out: string[] = [];
  if (filter.stages) out.push(`v.status = ANY(CAST(${bind([...filter.stages])} AS text[]))`);
  if (filter.model) out.push(`m.name = ${bind(filter.model)}`);
  if (filter.tags?.length) out.push(`m.tags @> CAST(${bind(filter.tags)} AS text[])`);
  if (filter.project) out.push(`${PROJECT_SQL('m')} = ${bind(filter.project)}`);
  if (filter.createdSince) out.push(`v.created_at >= CAST(${bind(filter.createdSince.toISOString())} AS timestamptz)`);
  if (filter.createdBefore) out.push(`v.created_at < CAST(${bind(filter.createdBefore.toISOString())} AS timestamptz)`);
  if (filter.prerelease != null) out.push(filter.prerelease ? 'v.prerelease IS NOT NULL' : 'v.prerelease IS NULL');
  if (filter.signature) out.push(`${SIGNATURE_STATE} = ANY(CAST(${bind([...filter.signature])} AS text[]))`);
  if (filter.scanStatus) out.push(`${LATEST_SCAN} = ANY(CAST(${bind([...filter.scanStatus])} AS text[]))`);
  if (filter.sourceType) out.push(`v.source ->> 'type' = ${bind(filter.sourceType)}`);
  return out;
}
