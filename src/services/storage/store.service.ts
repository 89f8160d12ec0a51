import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { type Caller, requireRole } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/common/domain-error';
import { httpUrl, nonNegativeBigInt, optionalText, uuid } from '../../domain/common/field-rules';
import { projectId } from '../../domain/governance/project';
import { fsStorePath, keyPrefix, type StoreHealth, type StoreRecord, storeName } from '../../domain/storage/store';
import type { SecretSealer } from '../../net/sealed-secret';
import type { AuditService } from '../audit.service';
import { readableSql } from '../version-files-read';
import type { ProjectAccessService } from '../project-access.service';
import type { StorageUsage, StorageUsageService } from '../storage-usage.service';
import { storeHealth } from '../store-health';
import { recordOf, type StoreRegistry } from '../store-registry';
import { canSeeStore, isOperator, type StoreView, viewOf } from './store-views';

export interface NewStore {
  project: string;
  name: string;
  kind: 'S3' | 'FILESYSTEM';
  s3?: S3Settings | null;
  path?: string | null;
  quotaBytes?: bigint | null;
}

export interface S3Settings {
  endpoint?: string | null;
  bucket?: string | null;
  prefix?: string | null;
  region?: string | null;
  forcePathStyle?: boolean | null;
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
}

/** What may change on a store: where it answers and how we sign in, and its quota. Its bucket, prefix or folder never change (versions point into them): make a new store and move. */
export interface StoreChanges {
  endpoint?: string | null;
  region?: string | null;
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
  quotaBytes?: bigint | null;
  clearQuota?: boolean | null;
}

export interface StoreDeps {
  sealer: SecretSealer | null;
  endpointPreflight: (url: string) => Promise<void>;
  fsRoots: readonly string[];
  /** The server's own folders (artifacts, staging, caches, database): no store may overlap them. */
  reserved: readonly string[];
}

type Db = DataSource | EntityManager;

/**
 * The storage registry's face: admins of a project register S3 stores (their own bucket and credentials) and the
 * operator (a global admin) filesystem stores inside STORE_FS_ROOTS. Secrets are sealed before they are stored and
 * never read back. A store of another project is NOT_FOUND; a store in use cannot be deleted.
 */
export class StoreService {
  constructor(
    private readonly db: DataSource,
    private readonly registry: StoreRegistry,
    private readonly usageOf: StorageUsageService,
    private readonly access: ProjectAccessService,
    private readonly audit: AuditService,
    private readonly deps: StoreDeps,
  ) {}

  /** The store when the caller may see it; NOT_FOUND otherwise (as for an id that does not exist). */
  async record(caller: Caller, id: string, db: Db = this.db): Promise<StoreRecord> {
    const rows = (await db.query(`SELECT * FROM artifact_stores WHERE id = $1`, [uuid('id', id)])) as Parameters<typeof recordOf>[0][];
    const record = rows[0] ? recordOf(rows[0]) : null;
    if (!record || !canSeeStore(caller, record)) throw new NotFoundError('Store', id);
    return record;
  }

  versionStores(caller: Caller, versionIds: readonly string[]): Promise<{ versionId: string; storeId: string; storeName: string }[]> {
    return storesOfVersions(this.db, caller, versionIds);
  }

  async get(caller: Caller, id: string): Promise<StoreView> {
    return viewOf(caller, await this.record(caller, id));
  }

  /** The stores a project's admins may use: its own and the shared default. */
  async list(caller: Caller, project: string): Promise<StoreView[]> {
    const id = projectId('project', project);
    await this.access.authorizeProject(caller, id, Role.ADMIN, 'Listing stores');
    const rows = (await this.db.query(`SELECT * FROM artifact_stores WHERE project = $1 OR project IS NULL ORDER BY project NULLS FIRST, name`, [id])) as Parameters<typeof recordOf>[0][];
    return rows.map((row) => viewOf(caller, recordOf(row)));
  }

  /** Probed when an admin asks (what they see is now); /health, which anyone may poll, shares a cached probe. */
  async health(caller: Caller, id: string): Promise<StoreHealth> {
    return storeHealth(this.registry.resolve(await this.record(caller, id)), { fresh: true });
  }

  /** The DEFAULT store holds every project's bytes: only the operator sees its total. */
  seesDefaultUsage(caller: Caller): Promise<boolean> {
    return Promise.resolve(isOperator(caller));
  }

  /** Bytes in the store: the shared default store's total is every project's, so only the operator sees it. */
  async usage(caller: Caller, id: string): Promise<StorageUsage | null> {
    const record = await this.record(caller, id);
    if (record.project === null && !isOperator(caller)) return null;
    return this.usageOf.ofStore(record.id);
  }

  async create(caller: Caller, input: NewStore): Promise<StoreView> {
    const project = projectId('project', input.project);
    await this.access.authorizeProject(caller, project, Role.ADMIN, 'Registering a store');
    const name = storeName('name', input.name);
    const quota = nonNegativeBigInt('quotaBytes', input.quotaBytes ?? null);
    const values = input.kind === 'S3' ? await this.s3Values(input.s3 ?? null) : await this.fsValues(caller, input.path ?? null);
    const candidate = this.registry.open({ ...values, id: 'new', project, name, quotaBytes: quota, createdBy: caller.subject, createdAt: new Date(), updatedAt: new Date() });
    // A store that cannot take a write now is refused at once, not found out by the first import.
    const probe = await storeHealth(candidate, { fresh: true });
    if (!probe.reachable || !probe.writable) throw new ValidationError(input.kind === 'S3' ? 's3' : 'path', `the store cannot be used: ${probe.error ?? 'not writable'}`);
    return this.db.transaction(async (tx) => {
      const exists = (await tx.query(`SELECT 1 FROM artifact_stores WHERE project = $1 AND name = $2`, [project, name])) as unknown[];
      if (exists.length) throw new ConflictError(`a store named "${name}" already exists in project "${project}"`, { name });
      const [row] = (await tx.query(
        `INSERT INTO artifact_stores (project, name, kind, endpoint, bucket, prefix, region, force_path_style, access_key_id_sealed, secret_access_key_sealed, fs_path, quota_bytes, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
        [project, name, values.kind, values.endpoint, values.bucket, values.prefix, values.region, values.forcePathStyle, values.accessKeyIdSealed, values.secretAccessKeySealed, values.fsPath, quota?.toString() ?? null, caller.subject],
      )) as Parameters<typeof recordOf>[0][];
      const created = recordOf(row);
      await this.audit.record(tx, { action: 'store.created', actor: caller.subject, requestId: caller.requestId, project, subjectId: created.id, details: { name, kind: values.kind, bucket: values.bucket, prefix: values.prefix } });
      return viewOf(caller, created);
    });
  }

  async update(caller: Caller, id: string, changes: StoreChanges): Promise<StoreView> {
    return this.db.transaction(async (tx) => {
      const before = await this.record(caller, id, tx);
      if (before.project === null) throw new ForbiddenError('the default store is configured by the server environment (ARTIFACT_STORE, S3_*)');
      requireRole(caller, { entity: 'Store', key: id, project: before.project, isPublic: false }, Role.ADMIN, 'Changing a store');
      const set: string[] = [];
      const params: unknown[] = [before.id];
      const put = (column: string, value: unknown) => set.push(`${column} = $${params.push(value)}`);
      if (before.kind === 's3') {
        if (changes.endpoint !== undefined && changes.endpoint !== null) put('endpoint', await this.endpoint(changes.endpoint));
        if (changes.region) put('region', optionalText('region', changes.region, 64));
        if ((changes.accessKeyId ?? null) !== null || (changes.secretAccessKey ?? null) !== null) {
          const sealed = this.sealCredentials(changes.accessKeyId ?? null, changes.secretAccessKey ?? null);
          put('access_key_id_sealed', sealed.accessKeyIdSealed);
          put('secret_access_key_sealed', sealed.secretAccessKeySealed);
        }
      }
      if (changes.clearQuota) put('quota_bytes', null);
      else if (changes.quotaBytes !== undefined && changes.quotaBytes !== null) put('quota_bytes', nonNegativeBigInt('quotaBytes', changes.quotaBytes)?.toString());
      if (set.length === 0) return viewOf(caller, before);
      const [row] = (await tx.query(`UPDATE artifact_stores SET ${set.join(', ')}, updated_at = clock_timestamp() WHERE id = $1 RETURNING *`, params)) as [Parameters<typeof recordOf>[0][], number];
      const after = recordOf(row[0]);
      const changed = set.map((s) => s.split(' = ')[0]).map((c) => (c.endsWith('_sealed') ? `${c.replace('_sealed', '')} (write-only)` : c));
      await this.audit.record(tx, { action: 'store.updated', actor: caller.subject, requestId: caller.requestId, project: before.project, subjectId: before.id, details: { changed } });
      return viewOf(caller, after);
    });
  }

  /** Only a store nothing points at: no version, model or project default (CONFLICT otherwise). Its bytes are left in place. */
  async delete(caller: Caller, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const record = await this.record(caller, id, tx);
      if (record.project === null) throw new ForbiddenError('the default store cannot be deleted');
      requireRole(caller, { entity: 'Store', key: id, project: record.project, isPublic: false }, Role.ADMIN, 'Deleting a store');
      await tx.query(`SELECT 1 FROM artifact_stores WHERE id = $1 FOR UPDATE`, [record.id]);
      const [use] = (await tx.query(
        `SELECT (SELECT count(*) FROM model_versions WHERE store_id = $1 OR previous_store_id = $1) + (SELECT count(*) FROM models WHERE store_id = $1)
              + (SELECT count(*) FROM project_storage WHERE default_store_id = $1) AS n`,
        [record.id],
      )) as { n: string }[];
      if (Number(use?.n ?? 0) > 0) throw new ConflictError(`store "${record.name}" is still used by versions, models or a project default: move them first`, { uses: Number(use?.n) });
      await tx.query(`DELETE FROM artifact_stores WHERE id = $1`, [record.id]);
      await this.audit.record(tx, { action: 'store.deleted', actor: caller.subject, requestId: caller.requestId, project: record.project, subjectId: record.id, details: { name: record.name } });
      return true;
    });
  }

  private async s3Values(s3: S3Settings | null): Promise<Omit<StoreRecord, 'id' | 'project' | 'name' | 'quotaBytes' | 'createdBy' | 'createdAt' | 'updatedAt'>> {
    if (!s3) throw new ValidationError('s3', 'an S3 store needs its settings');
    const bucket = optionalText('s3.bucket', s3.bucket, 63);
    if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ValidationError('s3.bucket', 'must be a valid bucket name (3-63 of a-z, 0-9, "." and "-")');
    if (!s3.endpoint) throw new ValidationError('s3.endpoint', "is required (the store's S3 API address)");
    // Named stores sign in with their own credentials: the server's own identity (the SDK's default chain) would
    // let a project admin reach any bucket the server can.
    const sealed = this.sealCredentials(s3.accessKeyId ?? null, s3.secretAccessKey ?? null);
    return {
      kind: 's3',
      endpoint: await this.endpoint(s3.endpoint),
      bucket,
      prefix: keyPrefix('s3.prefix', s3.prefix),
      region: optionalText('s3.region', s3.region, 64) ?? 'us-east-1',
      forcePathStyle: s3.forcePathStyle ?? true,
      ...sealed,
      fsPath: null,
    };
  }

  private sealCredentials(accessKeyId: string | null, secretAccessKey: string | null): { accessKeyIdSealed: string; secretAccessKeySealed: string } {
    if (!accessKeyId || !secretAccessKey) throw new ValidationError('s3.secretAccessKey', 'an S3 store needs both accessKeyId and secretAccessKey');
    if (accessKeyId.length > 256 || secretAccessKey.length > 1024) throw new ValidationError('s3.secretAccessKey', 'credentials are too long');
    if (!this.deps.sealer) throw new ValidationError('s3.secretAccessKey', 'the server has no SECRETS_KEY to keep credentials sealed');
    return { accessKeyIdSealed: this.deps.sealer.seal(accessKeyId), secretAccessKeySealed: this.deps.sealer.seal(secretAccessKey) };
  }

  private async endpoint(value: string): Promise<string> {
    const url = httpUrl('s3.endpoint', value) ?? '';
    // The server connects there on the admin's word: loopback, private and metadata addresses are refused unless allowed.
    await this.deps.endpointPreflight(url);
    return url.replace(/\/+$/, '');
  }

  private async fsValues(caller: Caller, wanted: string | null): Promise<Omit<StoreRecord, 'id' | 'project' | 'name' | 'quotaBytes' | 'createdBy' | 'createdAt' | 'updatedAt'>> {
    // A folder of the server is the operator's to hand out: a project admin could otherwise point a store at
    // another project's store, the database or the server's own files.
    if (!isOperator(caller)) throw new ForbiddenError('Filesystem stores are registered by a global admin (the operator); project admins register S3 stores');
    if (!wanted) throw new ValidationError('path', 'a filesystem store needs its folder');
    const taken = ((await this.db.query(`SELECT fs_path FROM artifact_stores WHERE fs_path IS NOT NULL`)) as { fs_path: string }[]).map((r) => r.fs_path);
    const normal = fsStorePath('path', wanted, this.deps.fsRoots, this.deps.reserved, taken);
    await mkdir(normal, { recursive: true });
    // Symlinks are followed once, now: the real folder must still be inside a root and overlap nothing.
    const real = await realpath(normal);
    const roots = await Promise.all(this.deps.fsRoots.map((root) => realpath(root).catch(() => path.resolve(root))));
    fsStorePath('path', real, roots, this.deps.reserved, taken);
    return { kind: 'fs', endpoint: null, bucket: null, prefix: '', region: null, forcePathStyle: true, accessKeyIdSealed: null, secretAccessKeySealed: null, fsPath: real };
  }
}

/** Where each version lives, for versions the caller may read (narrowed in SQL): the store's id and name. */
export async function storesOfVersions(db: DataSource, caller: Caller, versionIds: readonly string[]): Promise<{ versionId: string; storeId: string; storeName: string }[]> {
  if (versionIds.length === 0) return [];
  const scope = readableSql(caller, 2);
  const rows = (await db.query(
    `SELECT v.id AS version_id, s.id AS store_id, s.name AS store_name FROM model_versions v JOIN models m ON m.id = v.model_id JOIN artifact_stores s ON s.id = v.store_id
      WHERE v.id = ANY($1::uuid[])${scope.sql}`,
    [[...versionIds], ...scope.params],
  )) as { version_id: string; store_id: string; store_name: string }[];
  return rows.map((r) => ({ versionId: r.version_id, storeId: r.store_id, storeName: r.store_name }));
}
