import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { readableCondition, readableParam } from '../domain/governance/access';
import { PROJECT_SQL } from '../domain/governance/project';
import type { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';

type Db = DataSource | EntityManager;

/**
 * Reads of a version's files, narrowed to what the caller may read in SQL (the version's model's project is one
 * of the caller's or public): a caller that cannot read the project gets nothing, never everything.
 */

/** `AND <readable>` over the models alias `m`, with its parameter at `$n`; empty for a caller that reads everything. */
export function readableSql(caller: Caller, n: number): { sql: string; params: unknown[] } {
  const condition = readableCondition(caller, 'm', `$${n}`);
  return condition ? { sql: ` AND ${condition}`, params: [readableParam(caller)] } : { sql: '', params: [] };
}

export function narrowed<T extends object>(query: SelectQueryBuilder<T>, caller: Caller): SelectQueryBuilder<T> {
  const condition = readableCondition(caller, 'm', ':readable');
  return condition ? query.andWhere(condition, { readable: readableParam(caller) }) : query;
}

/** The version as a download or a listing sees it, with its model's name and project. */
export interface ReadableVersion {
  id: string;
  modelId: string;
  modelName: string;
  project: string;
  version: string;
  status: LifecycleStage;
  createdAt: Date;
}

interface ReadableRow {
  id: string;
  model_id: string;
  model_name: string;
  project: string;
  version: string;
  status: LifecycleStage;
  created_at: Date;
}

/** The version when the caller may read its project; null for an id that does not exist *or* is not readable. */
export async function readableVersion(db: Db, caller: Caller, versionId: string): Promise<ReadableVersion | null> {
  const scope = readableSql(caller, 2);
  const rows = (await db.query(
    `SELECT v.id, v.model_id, m.name AS model_name, ${PROJECT_SQL('m')} AS project, v.version, v.status, v.created_at
       FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.id = $1${scope.sql}`,
    [versionId, ...scope.params],
  )) as ReadableRow[];
  const row = rows[0];
  if (!row) return null;
  return { id: row.id, modelId: row.model_id, modelName: row.model_name, project: row.project, version: row.version, status: row.status, createdAt: row.created_at };
}

/** The version's files (only the one at `path` when given), by path. */
export function listFiles(db: Db, caller: Caller, versionId: string, path: string | null = null): Promise<ManifestEntry[]> {
  const query = db
    .getRepository(VersionFileEntity)
    .createQueryBuilder('f')
    .innerJoin(VersionEntity, 'v', 'v.id = f.version_id')
    .innerJoin(ModelEntity, 'm', 'm.id = v.model_id')
    .where('f.version_id = :versionId', { versionId })
    .orderBy('f.path', 'ASC');
  if (path !== null) query.andWhere('f.path = :path', { path });
  return narrowed(query, caller).getMany();
}

export async function listFolders(db: Db, caller: Caller, versionId: string): Promise<string[]> {
  const scope = readableSql(caller, 2);
  const rows = (await db.query(
    `SELECT fo.path FROM version_folders fo JOIN model_versions v ON v.id = fo.version_id JOIN models m ON m.id = v.model_id
      WHERE fo.version_id = $1${scope.sql} ORDER BY fo.path`,
    [versionId, ...scope.params],
  )) as { path: string }[];
  return rows.map((r) => r.path);
}
