import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { DEFAULT_STORE_ID, type StoreKind, type StoreRecord } from '../domain/storage/store';
import type { SecretSealer } from '../net/sealed-secret';
import type { ArtifactStore } from '../storage/artifact-store';
import type { CorruptionReporter } from '../storage/blob-integrity';
import { FsArtifactStore } from '../storage/fs-artifact-store';
import { S3ArtifactStore } from '../storage/s3-artifact-store';
import { guardedStore, unopenedStore } from '../storage/unavailable-store';

/** A store ready to read and write: its registry row's facts and the client built from them. */
export interface ResolvedStore {
  id: string;
  name: string;
  project: string | null;
  kind: StoreKind;
  store: ArtifactStore;
}

interface StoreRow {
  id: string;
  project: string | null;
  name: string;
  kind: StoreKind;
  endpoint: string | null;
  bucket: string | null;
  prefix: string;
  region: string | null;
  force_path_style: boolean;
  access_key_id_sealed: string | null;
  secret_access_key_sealed: string | null;
  fs_path: string | null;
  quota_bytes: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export function recordOf(row: StoreRow): StoreRecord {
  return {
    id: row.id,
    project: row.project,
    name: row.name,
    kind: row.kind,
    endpoint: row.endpoint,
    bucket: row.bucket,
    prefix: row.prefix,
    region: row.region,
    forcePathStyle: row.force_path_style,
    accessKeyIdSealed: row.access_key_id_sealed,
    secretAccessKeySealed: row.secret_access_key_sealed,
    fsPath: row.fs_path,
    quotaBytes: row.quota_bytes === null ? null : BigInt(row.quota_bytes),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Where bytes live: the store of a version (model_versions.store_id) as a client. No caller here: this is the
 * plumbing under services that already authorized theirs (a download, an import activity); the registry's own
 * GraphQL face (StoreService) checks callers. Clients are built once per store and settings (updated_at) and
 * opened secrets stay in memory only.
 */
export class StoreRegistry {
  private readonly built = new Map<string, { stamp: number; resolved: ResolvedStore }>();

  constructor(
    private readonly db: DataSource,
    private readonly environmentStore: ArtifactStore,
    private readonly sealer: SecretSealer | null,
    private readonly onCorrupt: CorruptionReporter = () => undefined,
  ) {}

  /** The environment's store (ARTIFACT_STORE): what every version written before registries lives in. */
  get defaultStore(): ResolvedStore {
    return { id: DEFAULT_STORE_ID, name: 'default', project: null, kind: 'env', store: guardedStore('default', this.environmentStore) };
  }

  async byId(id: string, db: DataSource | EntityManager = this.db): Promise<ResolvedStore> {
    const rows = (await db.query(`SELECT * FROM artifact_stores WHERE id = $1`, [id])) as StoreRow[];
    if (!rows[0]) throw new NotFoundError('Store', id);
    return this.resolve(recordOf(rows[0]));
  }

  /** The store holding a version's bytes now. */
  async forVersion(versionId: string, db: DataSource | EntityManager = this.db): Promise<ResolvedStore> {
    const rows = (await db.query(`SELECT s.* FROM model_versions v JOIN artifact_stores s ON s.id = v.store_id WHERE v.id = $1`, [versionId])) as StoreRow[];
    if (!rows[0]) throw new NotFoundError('Version', versionId);
    return this.resolve(recordOf(rows[0]));
  }

  /** The store a new version of this model is created in (its own, else its project's default, else the default). */
  async forModel(modelId: string): Promise<ResolvedStore> {
    const rows = (await this.db.query(
      `SELECT s.* FROM models m LEFT JOIN project_storage ps ON ps.project = COALESCE(m.project, 'default')
         JOIN artifact_stores s ON s.id = COALESCE(m.store_id, ps.default_store_id, $2::uuid) WHERE m.id = $1`,
      [modelId, DEFAULT_STORE_ID],
    )) as StoreRow[];
    if (!rows[0]) throw new NotFoundError('Model', modelId);
    return this.resolve(recordOf(rows[0]));
  }

  /** Every registered store (the blob collector and /health walk them). */
  async all(): Promise<ResolvedStore[]> {
    const rows = (await this.db.query(`SELECT * FROM artifact_stores ORDER BY created_at, id`)) as StoreRow[];
    return rows.map((row) => {
      const record = recordOf(row);
      try {
        return this.resolve(record);
      } catch (error) {
        // One store this process cannot open must not hide the others from /health and the collector.
        const store = guardedStore(record.name, unopenedStore(record.kind === 'env' ? 'fs' : record.kind, record.name, (error as Error).message));
        return { id: record.id, name: record.name, project: record.project, kind: record.kind, store };
      }
    });
  }

  resolve(record: StoreRecord): ResolvedStore {
    if (record.kind === 'env') return this.defaultStore;
    const stamp = record.updatedAt.getTime();
    const cached = this.built.get(record.id);
    if (cached && cached.stamp === stamp) return cached.resolved;
    const resolved = this.open(record);
    this.built.set(record.id, { stamp, resolved });
    return resolved;
  }

  /** A client for settings not (yet) registered: a store about to be created is probed through it. */
  open(record: StoreRecord): ResolvedStore {
    if (record.kind === 'env') return this.defaultStore;
    const store = record.kind === 's3' ? this.s3(record) : new FsArtifactStore(record.fsPath ?? '', this.onCorrupt, false);
    return { id: record.id, name: record.name, project: record.project, kind: record.kind, store: guardedStore(record.name, store) };
  }

  private s3(record: StoreRecord): S3ArtifactStore {
    const sealed = record.accessKeyIdSealed && record.secretAccessKeySealed;
    if (sealed && !this.sealer) throw new Error('SECRETS_KEY is not configured: stored credentials cannot be opened');
    const credentials =
      sealed && this.sealer ? { accessKeyId: this.sealer.open(record.accessKeyIdSealed ?? ''), secretAccessKey: this.sealer.open(record.secretAccessKeySealed ?? '') } : undefined;
    return new S3ArtifactStore(
      { endpoint: record.endpoint, bucket: record.bucket ?? '', region: record.region ?? 'us-east-1', forcePathStyle: record.forcePathStyle, prefix: record.prefix, credentials },
      this.onCorrupt,
    );
  }
}

/** A registry that answers one store for everything: benchmarks and tools that drive a service without a database. */
export function fixedStore(store: ArtifactStore): StoreRegistry {
  const resolved: ResolvedStore = { id: DEFAULT_STORE_ID, name: 'default', project: null, kind: 'env', store };
  return { defaultStore: resolved, byId: async () => resolved, forVersion: async () => resolved, forModel: async () => resolved, all: async () => [resolved] } as unknown as StoreRegistry;
}
