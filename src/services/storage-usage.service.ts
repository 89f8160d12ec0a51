import type { DataSource } from 'typeorm';
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

  async ofProject(project: string): Promise<StorageUsage> {
    const [row] = (await this.db.query(`SELECT sum(size) AS used, count(*) AS blobs FROM (SELECT DISTINCT store_id, sha256, size FROM (${PROJECT_BLOBS}) b) d`, [project])) as UsageRow[];
    return { usedBytes: BigInt(row?.used ?? 0), blobs: Number(row?.blobs ?? 0) };
  }

  async ofStore(storeId: string): Promise<StorageUsage> {
    const [row] = (await this.db.query(`SELECT sum(size) AS used, count(*) AS blobs FROM (SELECT DISTINCT sha256, size FROM (${STORE_BLOBS}) b) d`, [storeId])) as UsageRow[];
    return { usedBytes: BigInt(row?.used ?? 0), blobs: Number(row?.blobs ?? 0) };
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
    const rows = (await this.db.query(
      `SELECT COALESCE(m.project, 'default') AS project, v.store_id, s.name AS store_name, s.quota_bytes AS store_quota, ps.quota_bytes AS project_quota
         FROM model_versions v JOIN models m ON m.id = v.model_id JOIN artifact_stores s ON s.id = v.store_id
         LEFT JOIN project_storage ps ON ps.project = COALESCE(m.project, 'default') WHERE v.id = $1`,
      [versionId],
    )) as { project: string; store_id: string; store_name: string; store_quota: string | null; project_quota: string | null }[];
    const row = rows[0];
    if (!row) return;
    if (row.project_quota !== null) {
      const used = (await this.ofProject(row.project)).usedBytes;
      if (used + adding > BigInt(row.project_quota)) throw new QuotaExceededError('project', row.project, used, adding, BigInt(row.project_quota));
    }
    if (row.store_quota !== null) {
      const used = (await this.ofStore(row.store_id)).usedBytes;
      if (used + adding > BigInt(row.store_quota)) throw new QuotaExceededError('store', row.store_name, used, adding, BigInt(row.store_quota));
    }
  }
}
