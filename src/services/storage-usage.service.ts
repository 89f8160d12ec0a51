import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { QuotaExceededError } from '../domain/storage/store';
import { OperationStatus } from '../domain/onboarding/operation';

/** Bytes stored: each distinct blob counted once per store (the dedupe is per store), so sums match the bucket. */
export interface StorageUsage {
  usedBytes: bigint;
  blobs: number;
}

// A version's bytes count where the version lives now; a live import's listed bytes count before they land, so two
// imports started together cannot both slip under the quota.
const PROJECT_BLOBS = `
  SELECT v.store_id, f.sha256, f.size FROM version_files f JOIN model_versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id
   WHERE COALESCE(m.project, 'default') = $1
  UNION
  SELECT v.store_id, COALESCE(f.sha256, f.expected_sha256, o.id::text || '/' || f.path), COALESCE(f.stored_size, f.size, 0)
    FROM import_files f JOIN operations o ON o.id = f.operation_id JOIN model_versions v ON v.id = o.version_id JOIN models m ON m.id = v.model_id
   WHERE COALESCE(m.project, 'default') = $1 AND o.status IN ('${OperationStatus.PENDING}', '${OperationStatus.RUNNING}')`;

const STORE_BLOBS = `
  SELECT f.sha256, f.size FROM version_files f JOIN model_versions v ON v.id = f.version_id WHERE v.store_id = $1
  UNION
  SELECT COALESCE(f.sha256, f.expected_sha256, o.id::text || '/' || f.path), COALESCE(f.stored_size, f.size, 0)
    FROM import_files f JOIN operations o ON o.id = f.operation_id JOIN model_versions v ON v.id = o.version_id
   WHERE v.store_id = $1 AND o.status IN ('${OperationStatus.PENDING}', '${OperationStatus.RUNNING}')`;

interface UsageRow {
  used: string | null;
  blobs: string;
}

/**
 * Storage used per project and per store, and the quotas (project_storage.quota_bytes, artifact_stores.quota_bytes)
 * that refuse new uploads and imports past them. No caller: the numbers are read for callers already authorized
 * (StoreService shows them to admins) and checked by uploads and imports on their version.
 */
export class StorageUsageService {
  constructor(private readonly db: DataSource) {}

  ofProject(project: string): Promise<StorageUsage> {
    return usageOf(this.db, PROJECT_USED, project);
  }

  ofStore(storeId: string): Promise<StorageUsage> {
    return usageOf(this.db, STORE_USED, storeId);
  }

  /** Several stores at once (one round trip): a list of stores shows each one's usage. */
  async ofStores(storeIds: readonly string[]): Promise<Map<string, StorageUsage>> {
    const rows = (await this.db.query(
      `SELECT store_id, sum(size) AS used, count(*) AS blobs FROM (
         SELECT DISTINCT v.store_id, f.sha256, f.size FROM version_files f JOIN model_versions v ON v.id = f.version_id WHERE v.store_id = ANY($1::uuid[])
         UNION
         SELECT DISTINCT v.store_id, COALESCE(f.sha256, f.expected_sha256, o.id::text || '/' || f.path), COALESCE(f.stored_size, f.size, 0)
           FROM import_files f JOIN operations o ON o.id = f.operation_id JOIN model_versions v ON v.id = o.version_id
          WHERE v.store_id = ANY($1::uuid[]) AND o.status IN ('${OperationStatus.PENDING}', '${OperationStatus.RUNNING}')) d GROUP BY store_id`,
      [[...storeIds]],
    )) as { store_id: string; used: string; blobs: string }[];
    const found = new Map(rows.map((r) => [r.store_id, { usedBytes: BigInt(r.used), blobs: Number(r.blobs) }]));
    return new Map(storeIds.map((id) => [id, found.get(id) ?? { usedBytes: 0n, blobs: 0 }]));
  }

  /**
   * Refuses `adding` more bytes for this version when its project's or its store's quota would be exceeded
   * (QUOTA_EXCEEDED). A live import's listed files are already in the usage: it checks with `adding` 0 once listed.
   */
  async assertRoom(versionId: string, adding: bigint): Promise<void> {
    const scope = await this.scopeOfVersion(this.db, versionId);
    if (scope) await this.check(this.db, scope, adding);
  }

  /**
   * Hub LFS batch, inside the transaction that writes its tickets: refuses objects about to be uploaded for a model (no
   * version lists them yet) when their bytes, with those of the project's other LFS objects not yet committed (live
   * tickets, each object once, sent or about to be), would take the model's project or the store its next version goes
   * to past its quota. Holds the quota locks to the end of the transaction, so two batches at once cannot both slip under.
   */
  async assertRoomForModel(tx: EntityManager, modelId: string, storeId: string, objects: readonly { oid: string; size: number }[]): Promise<void> {
    const scope = await scopeOfModel(tx, modelId, storeId);
    if (scope.projectQuota === null && scope.storeQuota === null) return;
    await lockScope(tx, scope);
    const [{ pending }] = (await tx.query(
      `SELECT COALESCE(sum(size), 0) AS pending FROM (SELECT DISTINCT l.oid, l.size FROM hub_lfs_objects l JOIN models m ON m.id = l.model_id
        WHERE COALESCE(m.project, 'default') = $1 AND l.expires_at > now() AND l.oid <> ALL($2::text[])
          AND NOT EXISTS (SELECT 1 FROM version_files f WHERE f.sha256 = l.oid)) p`,
      [scope.project, objects.map((o) => o.oid)],
    )) as { pending: string }[];
    await this.check(tx, scope, objects.reduce((sum, o) => sum + BigInt(o.size), 0n) + BigInt(pending));
  }

  /**
   * A budget for bytes about to be added to a model's next version: the usage of its project and of the store it
   * goes to is read once (no lock: a hub commit checks for real under the locks once its files are listed), and the
   * returned check throws QUOTA_EXCEEDED for a running total past either quota; null without quotas. A commit's
   * regular files are counted against it as they arrive, so bytes past a quota are refused before they are stored.
   */
  async budgetForModel(modelId: string, storeId: string): Promise<((adding: bigint) => void) | null> {
    const scope = await scopeOfModel(this.db, modelId, storeId);
    if (scope.projectQuota === null && scope.storeQuota === null) return null;
    const used = await this.used(this.db, scope);
    return (adding) => {
      const refused = refusal(scope, used, adding);
      if (refused) throw refused;
    };
  }

  /**
   * Inside a transaction about to list files on a version (a hub commit): takes the quota locks, reads the usage now,
   * and returns the check to run once the files are listed, which refuses the commit when it added bytes past a quota.
   * A commit that adds no new bytes (its blobs already stored in that store, or only removals) passes even where usage
   * is over a lowered quota.
   */
  async growthGuard(tx: EntityManager, versionId: string): Promise<() => Promise<void>> {
    const scope = await this.scopeOfVersion(tx, versionId);
    if (!scope || (scope.projectQuota === null && scope.storeQuota === null)) return async () => undefined;
    await lockScope(tx, scope);
    const before = await this.used(tx, scope);
    return async () => {
      const after = await this.used(tx, scope);
      const grew = (a: bigint, b: bigint) => (a > b ? a - b : 0n);
      if (scope.projectQuota !== null && after.project > scope.projectQuota && after.project > before.project) {
        throw new QuotaExceededError('project', scope.project, before.project, grew(after.project, before.project), scope.projectQuota);
      }
      if (scope.storeQuota !== null && after.store > scope.storeQuota && after.store > before.store) {
        throw new QuotaExceededError('store', scope.storeName, before.store, grew(after.store, before.store), scope.storeQuota);
      }
    };
  }

  private async scopeOfVersion(db: Db, versionId: string): Promise<QuotaScope | null> {
    const rows = (await db.query(
      `SELECT COALESCE(m.project, 'default') AS project, v.store_id, s.name AS store_name, s.quota_bytes AS store_quota, ps.quota_bytes AS project_quota
         FROM model_versions v JOIN models m ON m.id = v.model_id JOIN artifact_stores s ON s.id = v.store_id
         LEFT JOIN project_storage ps ON ps.project = COALESCE(m.project, 'default') WHERE v.id = $1`,
      [versionId],
    )) as ScopeRow[];
    return rows[0] ? scopeOf(rows[0]) : null;
  }

  private async used(db: Db, scope: QuotaScope): Promise<{ project: bigint; store: bigint }> {
    return {
      project: scope.projectQuota === null ? 0n : (await usageOf(db, PROJECT_USED, scope.project)).usedBytes,
      store: scope.storeQuota === null ? 0n : (await usageOf(db, STORE_USED, scope.storeId)).usedBytes,
    };
  }

  private async check(db: Db, scope: QuotaScope, adding: bigint): Promise<void> {
    const refused = refusal(scope, await this.used(db, scope), adding);
    if (refused) throw refused;
  }
}

/** The error for `adding` bytes on top of `used`, when they pass the project's or the store's quota. */
function refusal(scope: QuotaScope, used: { project: bigint; store: bigint }, adding: bigint): QuotaExceededError | null {
  if (scope.projectQuota !== null && used.project + adding > scope.projectQuota) return new QuotaExceededError('project', scope.project, used.project, adding, scope.projectQuota);
  if (scope.storeQuota !== null && used.store + adding > scope.storeQuota) return new QuotaExceededError('store', scope.storeName, used.store, adding, scope.storeQuota);
  return null;
}

type Db = DataSource | EntityManager;

/**
 * The quota locks of a scope, to the end of the transaction: its project's, then its store's (always in that order,
 * so a batch or commit of one project and one of another sharing the store wait for each other without a cycle).
 */
async function lockScope(tx: EntityManager, scope: QuotaScope): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`modelhub.quota.project:${scope.project}`]);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`modelhub.quota.store:${scope.storeId}`]);
}

interface ScopeRow {
  project: string;
  store_id: string;
  store_name: string;
  store_quota: string | null;
  project_quota: string | null;
}

interface QuotaScope {
  project: string;
  storeId: string;
  storeName: string;
  projectQuota: bigint | null;
  storeQuota: bigint | null;
}

/** The quota scope of a model's next version: its project, and the store named (where that version goes). */
async function scopeOfModel(db: Db, modelId: string, storeId: string): Promise<QuotaScope> {
  const rows = (await db.query(
    `SELECT COALESCE(m.project, 'default') AS project, s.id AS store_id, s.name AS store_name, s.quota_bytes AS store_quota, ps.quota_bytes AS project_quota
       FROM models m CROSS JOIN artifact_stores s LEFT JOIN project_storage ps ON ps.project = COALESCE(m.project, 'default')
      WHERE m.id = $1 AND s.id = $2`,
    [modelId, storeId],
  )) as ScopeRow[];
  if (!rows[0]) throw new NotFoundError('Model', modelId);
  return scopeOf(rows[0]);
}

function scopeOf(row: ScopeRow): QuotaScope {
  return {
    project: row.project,
    storeId: row.store_id,
    storeName: row.store_name,
    projectQuota: row.project_quota === null ? null : BigInt(row.project_quota),
    storeQuota: row.store_quota === null ? null : BigInt(row.store_quota),
  };
}

const PROJECT_USED = `SELECT sum(size) AS used, count(*) AS blobs FROM (SELECT DISTINCT store_id, sha256, size FROM (${PROJECT_BLOBS}) b) d`;
const STORE_USED = `SELECT sum(size) AS used, count(*) AS blobs FROM (SELECT DISTINCT sha256, size FROM (${STORE_BLOBS}) b) d`;

async function usageOf(db: Db, sql: string, key: string): Promise<StorageUsage> {
  const [row] = (await db.query(sql, [key])) as UsageRow[];
  return { usedBytes: BigInt(row?.used ?? 0), blobs: Number(row?.blobs ?? 0) };
}
