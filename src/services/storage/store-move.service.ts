import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ConflictError, ValidationError } from '../../domain/common/domain-error';
import { uuid } from '../../domain/common/field-rules';
import { OperationKind, type OperationRecord, OperationStatus, workflowIds } from '../../domain/onboarding/operation';
import { QuotaExceededError } from '../../domain/storage/store';
import type { StoreCopyReport, StoreMoveInput } from '../../domain/storage/store-move';
import type { ArtifactStore } from '../../storage/artifact-store';
import { CorruptBlobError } from '../../storage/blob-integrity';
import type { AuditService } from '../audit.service';
import type { OperationService } from '../operation.service';
import type { ProjectAccessService } from '../project-access.service';
import type { StorageUsageService } from '../storage-usage.service';
import type { StoreRegistry } from '../store-registry';
import type { WorkflowGateway } from '../workflow-gateway';
import type { ProjectStorageService } from './project-storage.service';
import { hashingMeter } from '../../storage/hashing-meter';

/**
 * Moving a version's bytes to another store: copy every blob (content-addressed, so a blob the target already
 * holds is only read back), verify each one's sha256 *in the target* by reading it back, then switch the version
 * in one compare-and-set UPDATE. Until the switch the version reads from its old store; after it, from the new
 * one, whose bytes were verified. The old copy stays referenced (previous_store_id) for the collector's grace
 * period, so downloads that started before the switch finish, then the blob collector frees it. A move that fails
 * (the target away past its retries, a quota, a cancel) leaves the version where it was: never pointing at missing bytes.
 */
export class StoreMoveService {
  constructor(
    private readonly db: DataSource,
    private readonly registry: StoreRegistry,
    private readonly projects: ProjectStorageService,
    private readonly usage: StorageUsageService,
    private readonly access: ProjectAccessService,
    private readonly operations: OperationService,
    private readonly audit: AuditService,
    private readonly workflows: WorkflowGateway,
    private readonly stagingDir: string,
  ) {}

  async request(caller: Caller, versionId: string, storeId: string): Promise<OperationRecord> {
    const id = uuid('versionId', versionId);
    const project = await this.access.authorize(caller, 'Version', id, Role.ADMIN, 'Moving a version to another store');
    const target = await this.projects.usableStore(caller, project, storeId, 'storeId');
    const { operation, input } = await this.db.transaction(async (tx) => {
      await this.access.authorize(caller, 'Version', id, Role.ADMIN, 'Moving a version to another store', tx);
      const [version] = (await tx.query(`SELECT v.model_id, v.store_id, v.files_complete, v.version FROM model_versions v WHERE v.id = $1 FOR UPDATE`, [id])) as { model_id: string; store_id: string; files_complete: boolean; version: string }[];
      const live = await this.operations.live(tx, workflowIds.storeMove(id));
      if (live) {
        if (live.input.targetStoreId === target.id) return { operation: live, input: null };
        throw new ConflictError(`version ${version.version} is already being moved to another store`, { operationId: live.id });
      }
      if (version.store_id === target.id) throw new ValidationError('storeId', `version ${version.version} is already in store "${target.name}"`);
      if (!version.files_complete) throw new ConflictError(`version ${version.version} has no complete files to move yet (an import or upload is still running)`);
      const importing = (await tx.query(`SELECT 1 FROM operations WHERE version_id = $1 AND kind = $2 AND status IN ($3, $4) LIMIT 1`, [id, OperationKind.IMPORT, OperationStatus.PENDING, OperationStatus.RUNNING])) as unknown[];
      if (importing.length) throw new ConflictError(`version ${version.version} is still being imported`);
      await this.assertTargetRoom(id, target.id, target.name, target.quotaBytes);
      const input = { operationId: '', versionId: id, sourceStoreId: version.store_id, targetStoreId: target.id };
      const operation = await this.operations.create(tx, { kind: OperationKind.STORE_MOVE, modelId: version.model_id, versionId: id, workflowId: workflowIds.storeMove(id), input: { sourceStoreId: input.sourceStoreId, targetStoreId: target.id }, createdBy: caller.subject });
      return { operation, input: { ...input, operationId: operation.id } };
    });
    if (input) await this.workflows.startStoreMove(operation.workflowId, input);
    return operation;
  }

  private async assertTargetRoom(versionId: string, storeId: string, name: string, quota: bigint | null): Promise<void> {
    if (quota === null) return;
    const used = (await this.usage.ofStore(storeId)).usedBytes;
    const [row] = (await this.db.query(`SELECT COALESCE(sum(size), 0) AS bytes FROM (SELECT DISTINCT sha256, size FROM version_files WHERE version_id = $1) d`, [versionId])) as { bytes: string }[];
    const adding = BigInt(row?.bytes ?? 0);
    if (used + adding > quota) throw new QuotaExceededError('store', name, used, adding, quota);
  }

  /** Worker side, idempotent: every blob of the version into the target, each verified there by reading it back. */
  async copy(input: StoreMoveInput, heartbeat: (bytes: number) => void, signal?: AbortSignal): Promise<StoreCopyReport> {
    const [version] = (await this.db.query(`SELECT store_id FROM model_versions WHERE id = $1`, [input.versionId])) as { store_id: string }[];
    // The signatures' blobs go too: an upstream model.sig a published version no longer serves stays on record.
    const blobs = (await this.db.query(
      `SELECT sha256, size FROM version_files WHERE version_id = $1 UNION SELECT sha256, size FROM version_signatures WHERE version_id = $1 ORDER BY sha256`,
      [input.versionId],
    )) as { sha256: string; size: string }[];
    const total = blobs.reduce((n, b) => n + Number(b.size), 0);
    const report: StoreCopyReport = { blobs: blobs.length, copied: 0, alreadyThere: 0, bytes: total };
    // Switched already (a retried workflow after the switch): nothing to copy.
    if (version?.store_id === input.targetStoreId) return report;
    await this.operations.update(input.operationId, { status: OperationStatus.RUNNING, currentStep: 'copying files', bytesTotal: BigInt(total) });
    const source = (await this.registry.byId(input.sourceStoreId)).store;
    const target = (await this.registry.byId(input.targetStoreId)).store;
    const scratch = path.join(this.stagingDir, 'moves', input.operationId);
    let done = 0;
    try {
      for (const blob of blobs) {
        signal?.throwIfAborted();
        const size = Number(blob.size);
        if (await target.has(blob.sha256)) report.alreadyThere += 1;
        else {
          await this.copyBlob(source, target, blob.sha256, size, scratch, (n) => heartbeat(done + n), signal);
          report.copied += 1;
        }
        // Read back from the target whatever was there before or just written: the verifying read hashes it. A
        // corrupt copy there is quarantined by that read and written again from the source, once.
        try {
          await verifyIn(target, blob.sha256, (n) => heartbeat(done + n), signal);
        } catch (error) {
          if (!(error instanceof CorruptBlobError)) throw error;
          await this.copyBlob(source, target, blob.sha256, size, scratch, (n) => heartbeat(done + n), signal);
          await verifyIn(target, blob.sha256, (n) => heartbeat(done + n), signal);
        }
        done += size;
        await this.operations.update(input.operationId, { bytesDone: BigInt(done), progress: total ? (0.95 * done) / total : 0.95, currentStep: `verified ${report.copied + report.alreadyThere} of ${blobs.length} files in the target` });
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return report;
  }

  private async copyBlob(source: ArtifactStore, target: ArtifactStore, sha256: string, size: number, scratch: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<void> {
    await mkdir(scratch, { recursive: true });
    const staged = path.join(scratch, `${sha256}.part`);
    const meter = hashingMeter(onBytes);
    await pipeline(await source.read(sha256), meter.stream, createWriteStream(staged), { signal });
    const actual = meter.digest();
    if (actual !== sha256 || meter.bytes() !== size) throw new CorruptBlobError(sha256, actual, null);
    await target.adoptStagedFile(staged, { sha256, size });
  }

  /** Switches the version to the target, once, only from the store the move started in (compare-and-set). */
  async switchStore(input: StoreMoveInput): Promise<void> {
    await this.db.transaction(async (tx) => {
      const operation = await this.operations.lockForSettling(tx, input.operationId);
      if (!operation || ![OperationStatus.PENDING, OperationStatus.RUNNING].includes(operation.status)) return;
      const moved = (await tx.query(
        `UPDATE model_versions SET previous_store_id = store_id, store_id = $2, store_switched_at = now() WHERE id = $1 AND store_id = $3 RETURNING model_id`,
        [input.versionId, input.targetStoreId, input.sourceStoreId],
      )) as [{ model_id: string }[], number];
      if (moved[0].length) {
        await this.audit.record(tx, { action: 'version.store-moved', actor: operation.createdBy, modelId: moved[0][0].model_id, versionId: input.versionId, subjectId: input.targetStoreId, details: { from: input.sourceStoreId, to: input.targetStoreId, operationId: operation.id } });
      }
      await this.operations.update(input.operationId, { status: OperationStatus.SUCCEEDED, progress: 1, currentStep: 'switched to the new store' }, tx);
    });
  }

  /** The move did not happen: the version stays in its store; blobs copied so far are unreferenced and collected later. */
  async fail(input: StoreMoveInput, message: string, cancelled: boolean): Promise<void> {
    await this.operations.update(input.operationId, {
      status: cancelled ? OperationStatus.CANCELLED : OperationStatus.FAILED,
      errorCode: cancelled ? null : 'STORE_MOVE_FAILED',
      errorMessage: cancelled ? null : `${message.slice(0, 2000)} (the version stays in its store)`,
    });
  }
}

async function verifyIn(store: ArtifactStore, sha256: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<void> {
  let seen = 0;
  const stream = await store.read(sha256);
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    seen += (chunk as Buffer).length;
    onBytes(seen);
  }
}
