import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type DataSource, In, type SelectQueryBuilder } from 'typeorm';
import { ChecksumMismatchError } from '../domain/artifacts/checksum.errors';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { type OutOfService, VersionOutOfServiceError } from '../domain/files/out-of-service';
import { readableCondition, readableParam } from '../domain/governance/access';
import { CacheState, type LocalCacheRecord } from '../domain/onboarding/manifest';
import { OperationKind, OperationStatus, workflowIds } from '../domain/onboarding/operation';
import type { LocalCacheWorkflowInput } from '../domain/onboarding/workflow-inputs';
import { isUsable } from '../domain/lifecycle/lifecycle';
import { LocalCacheEntity } from '../persistence/entities/local-cache.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { StoreRegistry } from './store-registry';
import { lockModel } from './model-lock';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import type { WorkflowGateway } from './workflow-gateway';

/**
 * Local copies of a version laid out as serving engines expect (the repository's files at their paths),
 * materialised by a workflow into a temporary folder and renamed into place only when every checksum matched.
 */
function hostName(value: string): string {
  if (!/^[\w.-]{1,100}$/.test(value)) throw new ValidationError('host', 'must be a worker host id (letters, digits, ".", "_" or "-")');
  return value;
}

/**
 * `forVersions`, `get`, `create` and `evict` act for a caller (reads narrowed in SQL, writes needing EDITOR in the
 * version's project inside their transaction); `claimHost`, `materialize`, `evictHere` and `fail` are the workflow's
 * steps on a cache a caller already created (the worker acts for that request, compare-and-set on the rows).
 */
export class LocalCacheService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    /** Whether a version may be served at all (a failed rescan took it out of service). */
    private readonly outOfService: OutOfService,
    private readonly cacheDir: string,
    private readonly stores: StoreRegistry,
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    /** This process's worker host (the worker side claims caches for it) and how to name another host's queue. */
    private readonly host: { id: string; taskQueue: string; queueOf: (hostId: string) => string },
  ) {}

  forVersions(caller: Caller, versionIds: readonly string[]): Promise<LocalCacheRecord[]> {
    if (versionIds.length === 0) return Promise.resolve([]);
    return this.scoped(caller).andWhere('c.version_id IN (:...versionIds)', { versionIds: [...versionIds] }).orderBy('c.created_at', 'DESC').getMany();
  }

  /** NOT_FOUND alike for a cache that does not exist and one of a project the caller cannot read. */
  async get(caller: Caller, id: string): Promise<LocalCacheRecord> {
    const found = await this.scoped(caller).andWhere('c.id = :id', { id: uuid('id', id) }).getOne();
    if (!found) throw new NotFoundError('Local cache', id);
    return found;
  }

  private scoped(caller: Caller): SelectQueryBuilder<LocalCacheEntity> {
    const q = this.db.getRepository(LocalCacheEntity).createQueryBuilder('c');
    const visible = readableCondition(caller, 'm', ':readable');
    if (visible) q.innerJoin(ModelEntity, 'm', 'm.id = c.model_id').where(visible, { readable: readableParam(caller) });
    return q;
  }

  /**
   * `host` pins the cache to that worker host; without it, the first worker to pick the workflow up holds it. A
   * version out of service (a failed rescan) is refused with the scan's reference, like every download.
   */
  async create(caller: Caller, versionId: string, host: string | null = null): Promise<LocalCacheRecord> {
    const pinned = host === null ? null : hostName(host);
    const { cache, operationId } = await this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOne({ where: { id: uuid('versionId', versionId) }, select: { id: true, modelId: true } });
      if (!found) throw new NotFoundError('Version', versionId);
      await lockModel(tx, found.modelId);
      await this.access.authorize(caller, 'Version', versionId, Role.EDITOR, 'Caching a version', tx);
      const version = await tx.getRepository(VersionEntity).findOneByOrFail({ id: found.id });
      const out = await this.outOfService.outOfService(version.id);
      if (out) throw new VersionOutOfServiceError(version.version, out.scanId, out.reason);
      if (!isUsable(version.status) || !version.filesComplete) {
        throw new ConflictError(`Version ${version.version} is ${version.status}; only verified versions (VERIFIED, EVALUATED, PUBLISHED) can be cached`);
      }
      const model = await tx.getRepository(ModelEntity).findOneByOrFail({ id: version.modelId });
      const target = path.join(this.cacheDir, model.name, version.version);
      const live = await tx.getRepository(LocalCacheEntity).findOne({
        where: { versionId: version.id, ...(pinned ? { host: pinned } : {}), state: In([CacheState.PENDING, CacheState.MATERIALIZING, CacheState.READY]) },
      });
      if (live && (pinned !== null || live.host === null || live.host === this.host.id)) {
        throw new ConflictError(`${model.name}@${version.version} is already cached (${live.state}) at ${live.host ?? 'a host'}:${live.path}`, { cacheId: live.id });
      }
      await tx.getRepository(LocalCacheEntity).delete({ path: target, state: CacheState.FAILED });
      const repo = tx.getRepository(LocalCacheEntity);
      const row = await repo.save(
        repo.create({
          versionId: version.id,
          modelId: model.id,
          path: target,
          state: CacheState.PENDING,
          bytes: 0n,
          host: pinned,
          hostTaskQueue: pinned === null ? null : this.host.queueOf(pinned),
          createdBy: caller.subject,
        }),
      );
      const op = await this.operations.create(tx, {
        kind: OperationKind.LOCAL_CACHE,
        modelId: model.id,
        versionId: version.id,
        workflowId: workflowIds.localCache(row.id),
        input: { cacheId: row.id },
        createdBy: caller.subject,
      });
      row.operationId = op.id;
      return { cache: await repo.save(row), operationId: op.id };
    });
    await this.workflows.startLocalCache(workflowIds.localCache(cache.id), {
      operationId,
      modelId: cache.modelId,
      cacheId: cache.id,
      versionId: cache.versionId,
    });
    return cache;
  }

  async evict(caller: Caller, id: string): Promise<LocalCacheRecord> {
    const cache = await this.get(caller, id);
    await this.access.authorize(caller, 'Local cache', id, Role.EDITOR, 'Evicting a cache');
    if (cache.state === CacheState.PENDING || cache.state === CacheState.MATERIALIZING) {
      throw new ConflictError('The cache is still being written; cancel its operation first', { state: cache.state });
    }
    if (cache.state === CacheState.EVICTED) return cache;
    const row = await this.db.getRepository(LocalCacheEntity).findOneByOrFail({ id: cache.id });
    if (row.hostTaskQueue) {
      // The files are on that host's disk: the eviction runs there (and answers only once it is done).
      await this.workflows.evictCache(workflowIds.evictCache(cache.id), { cacheId: cache.id, hostTaskQueue: row.hostTaskQueue }).catch((error: unknown) => {
        throw new ConflictError(`The host holding this cache (${row.host}) did not evict it: ${(error as Error).message}`, { host: row.host });
      });
    } else {
      await this.evictHere(cache.id); // never claimed by a host (failed before it started), or made before hosts were recorded
    }
    return this.get(caller, id);
  }

  /** On the holding host: the cache's folder is under this host's own CACHE_DIR (recorded before any byte moves). */
  private async bindPath(cacheId: string): Promise<LocalCacheEntity> {
    const cache = await this.db.getRepository(LocalCacheEntity).findOneByOrFail({ id: cacheId });
    const model = await this.db.getRepository(ModelEntity).findOneByOrFail({ id: cache.modelId });
    const version = await this.db.getRepository(VersionEntity).findOneByOrFail({ id: cache.versionId });
    const target = path.join(this.cacheDir, model.name, version.version);
    if (cache.path !== target) {
      await this.db.getRepository(LocalCacheEntity).update({ id: cache.id }, { path: target });
      cache.path = target;
    }
    return cache;
  }

  /** Worker side, on the cache's host: removes the folder and records the eviction. */
  async evictHere(cacheId: string): Promise<void> {
    const cache = await this.db.getRepository(LocalCacheEntity).findOneByOrFail({ id: cacheId });
    await rm(cache.path, { recursive: true, force: true });
    await this.db.getRepository(LocalCacheEntity).update({ id: cache.id }, { state: CacheState.EVICTED, evictedAt: new Date() });
  }

  /**
   * Worker side, on the shared queue: the worker that picks the cache up holds it (unless it was pinned to a host
   * at creation): its host and its own CACHE_DIR path are recorded. Returns the task queue to materialise on.
   */
  async claimHost(input: LocalCacheWorkflowInput): Promise<string> {
    return this.db.transaction(async (tx) => {
      const cache = await tx.getRepository(LocalCacheEntity).findOne({ where: { id: input.cacheId }, lock: { mode: 'pessimistic_write' } });
      if (!cache) throw new NotFoundError('Local cache', input.cacheId);
      if (cache.hostTaskQueue) return cache.hostTaskQueue;
      const model = await tx.getRepository(ModelEntity).findOneByOrFail({ id: cache.modelId });
      const version = await tx.getRepository(VersionEntity).findOneByOrFail({ id: cache.versionId });
      const taken = await tx.getRepository(LocalCacheEntity).findOne({
        where: { versionId: cache.versionId, host: this.host.id, state: In([CacheState.PENDING, CacheState.MATERIALIZING, CacheState.READY]) },
      });
      if (taken) throw new ConflictError(`${model.name}@${version.version} is already cached on host ${this.host.id}`, { cacheId: taken.id });
      await tx.getRepository(LocalCacheEntity).update({ id: cache.id }, { host: this.host.id, hostTaskQueue: this.host.taskQueue });
      return this.host.taskQueue;
    });
  }

  /** Worker side: copies every file from the store, verifying its sha256, then renames the folder into place. */
  async materialize(input: LocalCacheWorkflowInput, heartbeat: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
    // Taken out of service (a failed rescan) since the cache was asked for: no copy is made (non-retryable).
    const version = await this.db.getRepository(VersionEntity).findOneByOrFail({ id: input.versionId });
    if (!isUsable(version.status)) throw new ConflictError(`Version ${version.version} is ${version.status}; only verified versions can be cached`, { status: version.status });
    const cache = await this.bindPath(input.cacheId);
    const files = await this.db.getRepository(VersionFileEntity).find({ where: { versionId: input.versionId }, order: { path: 'ASC' } });
    const total = files.reduce((n, f) => n + f.size, 0);
    await this.db.getRepository(LocalCacheEntity).update({ id: cache.id }, { state: CacheState.MATERIALIZING });
    await this.operations.update(input.operationId, { status: OperationStatus.RUNNING, currentStep: 'copying files', bytesTotal: BigInt(total) });
    const temp = `${cache.path}.partial-${cache.id}`;
    const { store } = await this.stores.forVersion(input.versionId);
    await rm(temp, { recursive: true, force: true });
    let done = 0;
    try {
      for (const file of files) {
        const target = path.join(temp, file.path);
        await mkdir(path.dirname(target), { recursive: true });
        const hash = createHash('sha256');
        const meter = new Transform({
          transform(chunk: Buffer, _e, next) {
            hash.update(chunk);
            heartbeat(done + chunk.length);
            next(null, chunk);
          },
        });
        await pipeline(await store.read(file.sha256), meter, createWriteStream(target), { signal });
        const actual = hash.digest('hex');
        if (actual !== file.sha256) throw new ChecksumMismatchError(file.path, file.sha256, actual);
        done += file.size;
        await this.operations.update(input.operationId, { bytesDone: BigInt(done), progress: total ? done / total : 1, currentStep: `copied ${file.path}` });
      }
      await writeFile(path.join(temp, '.modelhub-manifest.json'), JSON.stringify({ versionId: input.versionId, files }, null, 2));
      await rm(cache.path, { recursive: true, force: true });
      await mkdir(path.dirname(cache.path), { recursive: true });
      await rename(temp, cache.path);
    } catch (error) {
      // The partial folder is on this host: clean it here (the failure step may run on another host).
      await rm(temp, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    await this.db.transaction(async (tx) => {
      await tx.getRepository(LocalCacheEntity).update({ id: cache.id }, { state: CacheState.READY, bytes: BigInt(done), readyAt: new Date() });
      await this.operations.update(input.operationId, { status: OperationStatus.SUCCEEDED, progress: 1, currentStep: 'done', message: cache.path }, tx);
    });
    return cache.path;
  }

  async fail(input: LocalCacheWorkflowInput, message: string, cancelled: boolean): Promise<void> {
    const cache = await this.db.getRepository(LocalCacheEntity).findOneByOrFail({ id: input.cacheId });
    await rm(`${cache.path}.partial-${cache.id}`, { recursive: true, force: true });
    await this.db.transaction(async (tx) => {
      await tx.getRepository(LocalCacheEntity).update({ id: cache.id }, { state: CacheState.FAILED, errorMessage: message });
      await this.operations.update(
        input.operationId,
        { status: cancelled ? OperationStatus.CANCELLED : OperationStatus.FAILED, errorCode: cancelled ? 'CANCELLED' : 'CACHE_FAILED', errorMessage: message },
        tx,
      );
    });
  }
}
