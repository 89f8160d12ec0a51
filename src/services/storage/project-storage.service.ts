import type { DataSource } from 'typeorm';
import type { Caller } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ValidationError } from '../../domain/common/domain-error';
import { nonNegativeBigInt, uuid } from '../../domain/common/field-rules';
import { projectId } from '../../domain/governance/project';
import { DEFAULT_STORE_ID, type StoreRecord } from '../../domain/storage/store';
import type { AuditService } from '../audit.service';
import type { ProjectAccessService } from '../project-access.service';
import type { StorageUsage, StorageUsageService } from '../storage-usage.service';
import type { StoreService } from './store.service';

export interface ProjectStorageView {
  project: string;
  defaultStoreId: string;
  quotaBytes: bigint | null;
  usage: StorageUsage;
  /** Bytes of this project's versions per store they live in. */
  byStore: { storeId: string; usage: StorageUsage }[];
}

export interface ProjectStorageSettings {
  project: string;
  defaultStoreId?: string | null;
  quotaBytes?: bigint | null;
  clearQuota?: boolean | null;
}

/** A project's storage: its default store, its quota and what it uses (admins of the project only). */
export class ProjectStorageService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreService,
    private readonly usage: StorageUsageService,
    private readonly access: ProjectAccessService,
    private readonly audit: AuditService,
  ) {}

  async get(caller: Caller, project: string): Promise<ProjectStorageView> {
    const id = projectId('project', project);
    await this.access.authorizeProject(caller, id, Role.ADMIN, 'Reading a project\'s storage');
    const [row] = (await this.db.query(`SELECT default_store_id, quota_bytes FROM project_storage WHERE project = $1`, [id])) as { default_store_id: string | null; quota_bytes: string | null }[];
    const perStore = (await this.db.query(
      `SELECT store_id, sum(size) AS used, count(*) AS blobs FROM (
         SELECT DISTINCT v.store_id, f.sha256, f.size FROM version_files f JOIN model_versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id
          WHERE COALESCE(m.project, 'default') = $1) d GROUP BY store_id ORDER BY store_id`,
      [id],
    )) as { store_id: string; used: string; blobs: string }[];
    return {
      project: id,
      defaultStoreId: row?.default_store_id ?? DEFAULT_STORE_ID,
      quotaBytes: row?.quota_bytes ? BigInt(row.quota_bytes) : null,
      usage: await this.usage.ofProject(id),
      byStore: perStore.map((r) => ({ storeId: r.store_id, usage: { usedBytes: BigInt(r.used), blobs: Number(r.blobs) } })),
    };
  }

  async configure(caller: Caller, settings: ProjectStorageSettings): Promise<ProjectStorageView> {
    const id = projectId('project', settings.project);
    await this.access.authorizeProject(caller, id, Role.ADMIN, 'Configuring a project\'s storage');
    const store = settings.defaultStoreId ? await this.usableStore(caller, id, settings.defaultStoreId, 'defaultStoreId') : null;
    const quota = settings.clearQuota ? null : nonNegativeBigInt('quotaBytes', settings.quotaBytes ?? null);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO project_storage (project, default_store_id, quota_bytes, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (project) DO UPDATE SET
           default_store_id = COALESCE($2, project_storage.default_store_id),
           quota_bytes = CASE WHEN $5 THEN NULL ELSE COALESCE($3, project_storage.quota_bytes) END,
           updated_by = $4, updated_at = now()`,
        [id, store?.id ?? null, quota?.toString() ?? null, caller.subject, settings.clearQuota === true],
      );
      await this.audit.record(tx, {
        action: 'project.storage-configured',
        actor: caller.subject,
        requestId: caller.requestId,
        project: id,
        subjectId: id,
        details: { defaultStoreId: store?.id ?? null, quotaBytes: quota, clearQuota: settings.clearQuota === true },
      });
    });
    return this.get(caller, id);
  }

  /** New versions of this model go to `storeId` (null: back to the project's default). Versions already stored stay: move them. */
  async setModelStore(caller: Caller, modelId: string, storeId: string | null): Promise<boolean> {
    const project = await this.access.authorize(caller, 'Model', modelId, Role.ADMIN, "Choosing a model's store");
    const store = storeId ? await this.usableStore(caller, project, storeId, 'storeId') : null;
    await this.db.transaction(async (tx) => {
      await this.access.authorize(caller, 'Model', modelId, Role.ADMIN, "Choosing a model's store", tx);
      await tx.query(`UPDATE models SET store_id = $2 WHERE id = $1`, [modelId, store?.id ?? null]);
      await this.audit.record(tx, { action: 'model.store-set', actor: caller.subject, requestId: caller.requestId, modelId, subjectId: store?.id ?? null, details: { storeId: store?.id ?? null } });
    });
    return true;
  }

  /** A store this project may put versions in: its own or the shared default (another project's is NOT_FOUND). */
  async usableStore(caller: Caller, project: string, storeId: string, field: string): Promise<StoreRecord> {
    const record = await this.stores.record(caller, uuid(field, storeId));
    if (record.project !== null && record.project !== project) throw new ValidationError(field, `the store belongs to another project`);
    return record;
  }
}
