import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { readableCondition, readableParam } from '../domain/governance/access';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { isLive, OperationKind, type OperationRecord, OperationStatus, workflowIds } from '../domain/onboarding/operation';
import { ScanStatus } from '../domain/scanning/scan-enums';
import type { ScanIds, ScanSummary } from '../domain/scanning/scan-inputs';
import { ModelEntity } from '../persistence/entities/model.entity';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { lockModel } from './model-lock';
import { lockVersion } from './model-transition';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import { abandonScans } from './scan-abandon';
import type { ScannerVersions } from './scan-blob.service';
import type { ScanQuarantineService } from './scan-quarantine.service';
import type { WorkflowGateway } from './workflow-gateway';
import { counted } from '../domain/common/plural';

/** Stages whose files are not rescanned: an import in flight scans them itself; archived versions are kept as they were. */
const NOT_RESCANNED = [LifecycleStage.INGESTING, LifecycleStage.ARCHIVED];

/**
 * Rescans: scanVersion/scanModel record intent (a SCAN operation) and start the scan workflow under the
 * version's business key (`scan:<versionId>`), so a repeated request finds the running scan. Settling the SCAN
 * operation is compare-and-set like every other; a rescan that FAILED takes a usable version out of service in
 * the same transaction (scan-quarantine.service).
 */
export class ScanRequestService {
  constructor(
    private readonly db: DataSource,
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    private readonly access: ProjectAccessService,
    private readonly quarantines: ScanQuarantineService,
  ) {}

  /** EDITOR in the version's project (as it is under the model's lock); NOT_FOUND when the caller cannot read it. */
  async scanVersion(caller: Caller, versionId: string): Promise<OperationRecord> {
    const { operation, fresh } = await this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOne({ where: { id: uuid('versionId', versionId) }, select: { id: true, modelId: true } });
      if (!found) throw new NotFoundError('Version', versionId);
      await lockModel(tx, found.modelId);
      await this.access.authorize(caller, 'Version', versionId, Role.EDITOR, 'Rescanning a version', tx);
      const version = await lockVersion(tx, found.id);
      if (!version) throw new NotFoundError('Version', versionId);
      const live = await this.operations.live(tx, workflowIds.scan(version.id));
      if (live) return { operation: live as OperationRecord, fresh: false };
      if (version.status === LifecycleStage.INGESTING) throw new ConflictError(`Version ${version.version} is being imported; the import scans its files`, { status: version.status });
      if (!version.filesComplete) throw new ConflictError(`Version ${version.version} has no stored files to scan`, { status: version.status });
      const operation = await this.operations.create(tx, {
        kind: OperationKind.SCAN,
        modelId: version.modelId,
        versionId: version.id,
        workflowId: workflowIds.scan(version.id),
        input: {},
        createdBy: caller.subject,
      });
      return { operation, fresh: true };
    });
    return fresh ? this.start(operation) : operation;
  }

  /** A rescan of every version of the model that has stored files (not archived, not being imported). */
  async scanModel(caller: Caller, modelId: string): Promise<OperationRecord[]> {
    await this.access.authorize(caller, 'Model', modelId, Role.EDITOR, 'Rescanning a model');
    const versions = await this.db.getRepository(VersionEntity).find({ where: { modelId: uuid('modelId', modelId), filesComplete: true }, order: { createdAt: 'ASC' } });
    const scannable = versions.filter((v) => !NOT_RESCANNED.includes(v.status));
    if (scannable.length === 0) throw new ConflictError('The model has no version with stored files to scan (archived and importing versions are not rescanned)');
    const operations: OperationRecord[] = [];
    // Each checks the role again inside its own transaction (the model may move meanwhile).
    for (const version of scannable) operations.push(await this.scanVersion(caller, version.id));
    return operations;
  }

  /**
   * Settles the SCAN operation (compare-and-set). A rescan that FAILED takes the version out of service in the same
   * transaction: whatever else points at it, a security demotion is never refused. Model, operation, version: the
   * lock order of every settling write.
   */
  async complete(caller: Caller, ids: ScanIds, summary: ScanSummary): Promise<OperationRecord | null> {
    return this.db.transaction(async (tx) => {
      // A model deleted meanwhile took its rows with it: nothing left to settle (and nothing to retry).
      const model = await tx.getRepository(ModelEntity).findOne({ where: { id: ids.modelId }, lock: { mode: 'pessimistic_write' } });
      const operation = await this.operations.lockForSettling(tx, ids.operationId);
      if (!model || !operation || !isLive(operation.status)) return operation;
      const version = await lockVersion(tx, ids.versionId);
      let message = `scan ${summary.status}: ${counted(summary.files, 'file')}, ${counted(summary.findings, 'finding')}`;
      if (version && summary.status === ScanStatus.FAILED) {
        const scan = await tx.getRepository(ScanResultEntity).findOneByOrFail({ id: summary.scanResultId });
        const failed = { model, version, scan, operationId: operation.id, rescanBy: operation.createdBy };
        const taken = await this.quarantines.takeOutOfService(tx, caller, failed);
        if (taken) message = `${message}; ${taken}`;
      }
      return this.operations.update(ids.operationId, { status: OperationStatus.SUCCEEDED, progress: 1, currentStep: 'done', message: message.slice(0, 20_000) }, tx);
    });
  }

  fail(ids: ScanIds, code: string, message: string): Promise<void> {
    return this.end(ids, OperationStatus.FAILED, code, message);
  }

  cancelled(ids: ScanIds): Promise<void> {
    return this.end(ids, OperationStatus.CANCELLED, 'CANCELLED', 'scan cancelled');
  }

  /**
   * Versions whose latest scan ran with other rule or signature versions than `current` (or that were never
   * scanned here), oldest first, without a running operation. A SKIPPED scan is outdated once clamd is configured.
   */
  async outdated(caller: Caller, current: ScannerVersions, limit: number): Promise<string[]> {
    const visible = readableCondition(caller, 'm', '$5::text[]');
    const rows = (await this.db.query(
      `SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id
       LEFT JOIN LATERAL (SELECT s.started_at, s.rules_version, s.signature_version FROM scan_results s
                          WHERE s.version_id = v.id AND s.operation_id IS NOT NULL ORDER BY s.started_at DESC LIMIT 1) s ON true
       WHERE v.files_complete AND v.status <> ALL($1::text[]) AND ${visible ?? '$5::text[] IS NOT NULL'}
         AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.version_id = v.id AND o.status IN ('PENDING', 'RUNNING'))
         AND (s.started_at IS NULL OR s.rules_version IS DISTINCT FROM $2
              OR ($3::text IS NOT NULL AND s.signature_version IS DISTINCT FROM $3))
       ORDER BY v.created_at ASC LIMIT $4`,
      [NOT_RESCANNED, current.rulesVersion, current.signatureVersion, limit, readableParam(caller)],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  private async end(ids: ScanIds, status: OperationStatus, code: string, message: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const operation = await this.operations.lockForSettling(tx, ids.operationId);
      if (!operation || !isLive(operation.status)) return;
      await abandonScans(tx, ids.operationId, message);
      await this.operations.update(ids.operationId, { status, errorCode: code, errorMessage: message.slice(0, 20_000), currentStep: null }, tx);
    });
  }

  private async start(operation: OperationRecord): Promise<OperationRecord> {
    const ids = { operationId: operation.id, modelId: operation.modelId, versionId: operation.versionId as string };
    let started;
    try {
      started = await this.workflows.startScan(operation.workflowId, ids);
    } catch (error) {
      await this.fail(ids, 'WORKFLOW_START_FAILED', `could not start the scan workflow: ${(error as Error).message}`);
      throw error;
    }
    if (started === 'already-running') {
      await this.fail(ids, 'ALREADY_RUNNING', 'the previous scan of this version was still closing; scan again');
      throw new ConflictError('The previous scan of this version is still closing; scan again in a few seconds', { operationId: operation.id });
    }
    return operation;
  }
}
