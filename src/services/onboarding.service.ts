import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { DeclaredMetadata } from '../domain/artifacts/verified-metadata';
import { SourceType } from '../domain/catalog/catalog-enums';
import { validateModelDraft } from '../domain/catalog/model-validation';
import { projectOf } from '../domain/governance/project';
import { acceptsImport } from '../domain/lifecycle/lifecycle';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { describeSource, type ImportSource, type ImportSourceInput, type SealSecret, validateImportSource } from '../domain/onboarding/import-source';
import { isLive, OperationKind, type OperationRecord, OperationStatus, workflowIds } from '../domain/onboarding/operation';
import { formatSemVer, parseSemVer } from '../domain/versioning/semver';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { resolveDiskPath } from '../storage/sources/disk-source';
import type { ModelCommandService, RegisterModelCommand } from './model-command.service';
import { lockModel } from './model-lock';
import { lockVersion, moveVersion, recordTransition } from './model-transition';
import { isUniqueViolation } from './pg-errors';
import type { ImportOutcomeService } from './import-outcome.service';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import type { StartOutcome, WorkflowGateway } from './workflow-gateway';
import { parsePublicKey } from '../domain/signing/signature-trust';

const RUN_CLOSE_WAIT_MS = 5000;

export interface ImportModelCommand extends Omit<RegisterModelCommand, 'sourceType' | 'sourceUri'> {
  version?: string | null;
  changelog?: string | null;
  source: ImportSourceInput;
  /** A public key (PEM) to check an upstream `model.sig` with, beside the keys the project trusts. */
  signingPublicKey?: string | null;
}

/**
 * Starts onboarding: records intent (model, version, operation) in one transaction, then the workflow. Every write
 * needs EDITOR in the model's project, checked inside that transaction; an operation or model of a project the
 * caller cannot read is NOT_FOUND, like one that does not exist.
 */
export class OnboardingService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly models: ModelCommandService,
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    private readonly outcomes: ImportOutcomeService,
    private readonly diskRoots: readonly string[],
    /** Seals credentials found in import URLs (null without SECRETS_KEY: such URLs are refused). */
    private readonly seal: SealSecret | null = null,
    /** Refuses a URL whose host is not public (or allowed) before anything is recorded. */
    private readonly checkUrl: ((url: string) => Promise<void>) | null = null,
    /** Settles a benchmark or evaluation whose workflow closed without settling it (compare-and-set, like its own cancel). */
    private readonly measuredRunCancelled: ((ids: { operationId: string; modelId: string; versionId: string }) => Promise<void>) | null = null,
  ) {}

  async importModel(caller: Caller, command: ImportModelCommand): Promise<OperationRecord> {
    const source = validateImportSource(command.source, this.seal);
    // Checked here too (the worker checks again) so a bad path is the caller's error, not a failed workflow.
    if (source.type === SourceType.DISK) await resolveDiskPath(source.path, this.diskRoots);
    if (source.type === SourceType.URL) await this.checkUrl?.(source.url);
    const version = formatSemVer(parseSemVer(command.version ?? '1.0.0'));
    const registration = { ...command, sourceType: source.type, sourceUri: describeSource(source) };
    validateModelDraft(registration);
    const signingKey = command.signingPublicKey ? parsePublicKey('signingPublicKey', command.signingPublicKey).export({ type: 'spki', format: 'pem' }).toString() : null;
    const record = () => this.db.transaction((tx) => this.recordIntent(caller, tx, registration, version, source, command.changelog ?? null, signingKey));
    const planned = await this.models.guardName(registration.name, async () => {
      try {
        return await record();
      } catch (error) {
        // A concurrent twin created the model first; the second attempt finds it (and its running import).
        if (isUniqueViolation(error)) return record();
        throw error;
      }
    });
    if (planned.existing) return planned.operation;
    return this.start(planned.operation, source);
  }

  /**
   * A new run of a failed or cancelled import: only the version's latest operation, only while the version
   * needs attention (never a verified one), and only once the previous run's workflow has closed.
   */
  async retry(caller: Caller, operationId: string): Promise<OperationRecord> {
    const previous = await this.operations.get(caller, operationId);
    // The role before any state is told: a viewer learns nothing from a CONFLICT about the operation.
    await this.access.authorize(caller, 'Operation', operationId, Role.EDITOR, 'Retrying an import');
    if (previous.kind !== OperationKind.IMPORT || !previous.versionId) {
      throw new ConflictError('Only imports can be retried', { kind: previous.kind });
    }
    if (previous.status !== OperationStatus.FAILED && previous.status !== OperationStatus.CANCELLED) {
      throw new ConflictError(`Operation is ${previous.status}; only failed or cancelled imports can be retried`, { status: previous.status });
    }
    if (!(await this.closedWithin(previous.workflowId, RUN_CLOSE_WAIT_MS))) {
      throw new ConflictError('The previous run of this import is still closing; retry in a few seconds', { workflowId: previous.workflowId });
    }
    const versionId = previous.versionId;
    const { operation, fresh } = await this.db.transaction(async (tx) => {
      const model = await lockModel(tx, previous.modelId);
      await this.access.authorize(caller, 'Operation', operationId, Role.EDITOR, 'Retrying an import', tx);
      const version = await lockVersion(tx, versionId);
      if (!version) throw new NotFoundError('Version', versionId);
      const latest = await this.operations.latestForVersion(tx, versionId);
      if (latest && latest.id !== previous.id) {
        // Another retry of the same import got here first: answer with its operation.
        if (isLive(latest.status)) return { operation: latest as OperationRecord, fresh: false };
        throw new ConflictError(`Operation ${previous.id} is not the latest of version ${version.version}; retry ${latest.id} (${latest.status}) instead`, {
          latest: latest.id,
        });
      }
      if (!acceptsImport(version.status)) {
        throw new ConflictError(`Version ${version.version} is ${version.status}; only a version that NEEDS_ATTENTION can be imported again`, {
          status: version.status,
        });
      }
      await moveVersion(tx, model, version, LifecycleStage.INGESTING, `retry of operation ${previous.id}`, caller.subject, { statusReason: null });
      const { kind, modelId, workflowId, input } = previous;
      return { operation: await this.operations.create(tx, { kind, modelId, versionId, workflowId, input, createdBy: caller.subject }), fresh: true };
    });
    return fresh ? this.start(operation, previous.input.source as ImportSource) : operation;
  }

  /**
   * Asks the workflow to stop; its cancel step settles the operation (compare-and-set, so a completion that
   * commits first wins). A workflow that is no longer running is settled here instead.
   */
  async cancel(caller: Caller, operationId: string): Promise<OperationRecord> {
    const operation = await this.operations.get(caller, operationId);
    await this.access.authorize(caller, 'Operation', operationId, Role.EDITOR, 'Cancelling an operation');
    if (!isLive(operation.status)) {
      throw new ConflictError(`Operation is already ${operation.status}`, { status: operation.status });
    }
    const outcome = await this.workflows.cancel(operation.workflowId);
    // The workflow is gone (terminated, timed out) without settling its row: settle it now rather than after the reconciler's wait.
    if (outcome === 'not-running' && operation.versionId) {
      const ids = { operationId: operation.id, modelId: operation.modelId, versionId: operation.versionId };
      if (operation.kind === OperationKind.IMPORT) await this.outcomes.cancelled(ids);
      else if ((operation.kind === OperationKind.BENCHMARK || operation.kind === OperationKind.EVALUATION) && this.measuredRunCancelled) await this.measuredRunCancelled(ids);
      return this.operations.get(caller, operationId);
    }
    return (await this.operations.update(operation.id, { message: 'cancellation requested' })) ?? this.operations.get(caller, operationId);
  }

  private async recordIntent(
    caller: Caller,
    tx: EntityManager,
    registration: RegisterModelCommand,
    version: string,
    source: ImportSource,
    changelog: string | null,
    signingPublicKey: string | null,
  ): Promise<{ operation: OperationRecord; existing: boolean }> {
    const actor = caller.subject;
    const model = await this.importTarget(caller, tx, registration);
    const existing = await tx.getRepository(VersionEntity).findOneBy({ modelId: model.id, version });
    if (existing) {
      const live = await this.operations.live(tx, workflowIds.import(existing.id));
      if (live) return { operation: live, existing: true }; // the same import again: one workflow
      throw new ConflictError(
        existing.status === LifecycleStage.NEEDS_ATTENTION
          ? `Version ${version} of "${model.name}" needs attention; use retryOperation to import it again`
          : `Version ${version} of "${model.name}" already exists (${existing.status})`,
        { field: 'version', status: existing.status },
      );
    }
    const declared: DeclaredMetadata = {
      architecture: model.architecture,
      parameterCount: model.parameterCount?.toString() ?? null,
      contextLength: model.contextLength,
      license: model.licenseId,
    };
    const semver = parseSemVer(version);
    const row = await tx.getRepository(VersionEntity).save(
      tx.getRepository(VersionEntity).create({
        modelId: model.id,
        version,
        major: semver.major,
        minor: semver.minor,
        patch: semver.patch,
        prerelease: semver.prerelease,
        storagePath: null,
        changelog,
        parentVersionId: model.defaultVersionId,
        status: LifecycleStage.DRAFT,
        filesComplete: false,
        source: { ...source },
        declaredMetadata: declared,
        signingPublicKey,
        createdBy: actor,
      }),
    );
    await recordTransition(tx, { modelId: model.id, versionId: row.id, from: null, to: LifecycleStage.DRAFT, reason: 'registered by import', actor });
    await moveVersion(tx, model, row, LifecycleStage.INGESTING, `import of version ${version} from ${describeSource(source)}`, actor);
    const operation = await this.operations.create(tx, {
      kind: OperationKind.IMPORT,
      modelId: model.id,
      versionId: row.id,
      workflowId: workflowIds.import(row.id),
      input: { source: { ...source } },
      createdBy: actor,
    });
    return { operation, existing: false };
  }

  /**
   * The model an import adds a version to: the one of that name when the caller may write its project (and the
   * import names no other project), else a new one registered in the named project. A name taken in a project the
   * caller cannot read answers as registerModel does for a taken name, naming neither the model nor its project.
   */
  private async importTarget(caller: Caller, tx: EntityManager, registration: RegisterModelCommand): Promise<ModelEntity> {
    const draft = validateModelDraft(registration);
    const found = await tx.getRepository(ModelEntity).findOne({ where: { name: draft.name }, lock: { mode: 'pessimistic_write' } });
    if (!found) return this.models.registerIn(caller, tx, registration);
    if (!(await this.access.canRead(caller, projectOf(found), tx))) throw new ConflictError('A model with this name already exists', { field: 'name' });
    await this.access.authorize(caller, 'Model', found.id, Role.EDITOR, 'Importing a version', tx);
    if (draft.project !== null && draft.project !== projectOf(found)) {
      throw new ConflictError(`Model "${found.name}" is in project "${projectOf(found)}", not "${draft.project}"; import it without a project or move the model first`, {
        field: 'project',
      });
    }
    return found;
  }

  /** A run settles its operation just before it closes: give it a moment rather than refuse at once. */
  private async closedWithin(workflowId: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while ((await this.workflows.describe(workflowId)) === 'running') {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return true;
  }

  private async start(operation: OperationRecord, source: ImportSource): Promise<OperationRecord> {
    const versionId = uuid('versionId', operation.versionId ?? '');
    const ids = { operationId: operation.id, modelId: operation.modelId, versionId };
    let started: StartOutcome;
    try {
      started = await this.workflows.startImport(operation.workflowId, { ...ids, source });
    } catch (error) {
      // Intent is recorded but nothing runs: settle it (retryable later) instead of leaving it PENDING forever.
      await this.outcomes.fail(ids, 'WORKFLOW_START_FAILED', `could not start the import workflow: ${(error as Error).message}`);
      throw error;
    }
    if (started === 'already-running') {
      // The previous run is still closing under the same business key: never leave this row without a workflow.
      await this.outcomes.fail(ids, 'ALREADY_RUNNING', 'the previous run of this import was still closing; retry this operation');
      throw new ConflictError('The previous run of this import is still closing; retry in a few seconds', { operationId: operation.id });
    }
    return operation;
  }
}
