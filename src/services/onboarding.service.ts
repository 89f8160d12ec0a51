import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { DeclaredMetadata } from '../domain/artifacts/verified-metadata';
import { SourceType } from '../domain/catalog/catalog-enums';
import { validateModelDraft } from '../domain/catalog/model-validation';
import { ModelStatus } from '../domain/lifecycle/model-status';
import { describeSource, type ImportSource, type ImportSourceInput, validateImportSource } from '../domain/onboarding/import-source';
import { OperationKind, type OperationRecord, OperationStatus, workflowIds } from '../domain/onboarding/operation';
import { formatSemVer, parseSemVer } from '../domain/versioning/semver';
import { VersionStatus } from '../domain/versioning/version-status';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { resolveDiskPath } from '../storage/sources/disk-source';
import type { ModelCommandService, RegisterModelCommand } from './model-command.service';
import { lockModel } from './model-lock';
import { moveModel } from './model-transition';
import { isUniqueViolation } from './pg-errors';
import type { ImportOutcomeService } from './import-outcome.service';
import type { OperationService } from './operation.service';
import type { WorkflowGateway } from './workflow-gateway';

export interface ImportModelCommand extends Omit<RegisterModelCommand, 'sourceType' | 'sourceUri'> {
  version?: string | null;
  changelog?: string | null;
  source: ImportSourceInput;
}

/** Starts onboarding: records intent (model, version, operation) in one transaction, then the workflow. */
export class OnboardingService {
  constructor(
    private readonly db: DataSource,
    private readonly models: ModelCommandService,
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    private readonly outcomes: ImportOutcomeService,
    private readonly diskRoots: readonly string[],
  ) {}

  async importModel(command: ImportModelCommand, actor: string): Promise<OperationRecord> {
    const source = validateImportSource(command.source);
    // Checked here too (the worker checks again) so a bad path is the caller's error, not a failed workflow.
    if (source.type === SourceType.DISK) await resolveDiskPath(source.path, this.diskRoots);
    const version = formatSemVer(parseSemVer(command.version ?? '1.0.0'));
    const registration = { ...command, sourceType: source.type, sourceUri: describeSource(source) };
    validateModelDraft(registration);
    const record = () => this.db.transaction((tx) => this.recordIntent(tx, registration, version, source, command.changelog ?? null, actor));
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

  async retry(operationId: string, actor: string): Promise<OperationRecord> {
    const previous = await this.operations.get(operationId);
    if (previous.kind !== OperationKind.IMPORT || !previous.versionId) {
      throw new ConflictError('Only imports can be retried', { kind: previous.kind });
    }
    if (previous.status !== OperationStatus.FAILED && previous.status !== OperationStatus.CANCELLED) {
      throw new ConflictError(`Operation is ${previous.status}; only failed or cancelled imports can be retried`, { status: previous.status });
    }
    const versionId = previous.versionId;
    const { operation, fresh } = await this.db.transaction(async (tx) => {
      const model = await lockModel(tx, previous.modelId);
      // Another retry of the same import got here first: answer with its operation.
      const live = await this.operations.live(tx, previous.workflowId);
      if (live) return { operation: live as OperationRecord, fresh: false };
      if (model.status !== ModelStatus.INGESTING) await moveModel(tx, model, ModelStatus.INGESTING, `retry of operation ${previous.id}`, actor);
      await tx.getRepository(VersionEntity).update({ id: versionId }, { status: VersionStatus.INGESTING, statusReason: null });
      const { kind, modelId, workflowId, input } = previous;
      return { operation: await this.operations.create(tx, { kind, modelId, versionId, workflowId, input, createdBy: actor }), fresh: true };
    });
    return fresh ? this.start(operation, previous.input.source as ImportSource) : operation;
  }

  async cancel(operationId: string): Promise<OperationRecord> {
    const operation = await this.operations.get(operationId);
    if (operation.status !== OperationStatus.PENDING && operation.status !== OperationStatus.RUNNING) {
      throw new ConflictError(`Operation is already ${operation.status}`, { status: operation.status });
    }
    await this.workflows.cancel(operation.workflowId);
    return this.operations.update(operation.id, { message: 'cancellation requested' }).then((o) => o ?? this.operations.get(operationId));
  }

  private async recordIntent(
    tx: EntityManager,
    registration: RegisterModelCommand,
    version: string,
    source: ImportSource,
    changelog: string | null,
    actor: string,
  ): Promise<{ operation: OperationRecord; existing: boolean }> {
    const found = await tx.getRepository(ModelEntity).findOne({ where: { name: registration.name.trim() }, lock: { mode: 'pessimistic_write' } });
    const model = found ?? (await this.models.registerIn(tx, registration, actor));
    const existing = await tx.getRepository(VersionEntity).findOneBy({ modelId: model.id, version });
    if (existing) {
      const live = await this.operations.live(tx, workflowIds.import(existing.id));
      if (live) return { operation: live, existing: true }; // the same import again: one workflow
      throw new ConflictError(
        existing.status === VersionStatus.FAILED
          ? `Version ${version} of "${model.name}" failed to import; use retryOperation`
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
        status: VersionStatus.INGESTING,
        source: { ...source },
        declaredMetadata: declared,
        createdBy: actor,
      }),
    );
    if (model.status !== ModelStatus.INGESTING) {
      await moveModel(tx, model, ModelStatus.INGESTING, `import of version ${version} from ${describeSource(source)}`, actor);
    }
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

  private async start(operation: OperationRecord, source: ImportSource): Promise<OperationRecord> {
    const versionId = uuid('versionId', operation.versionId ?? '');
    const ids = { operationId: operation.id, modelId: operation.modelId, versionId };
    try {
      await this.workflows.startImport(operation.workflowId, { ...ids, source });
    } catch (error) {
      // Intent is recorded but nothing runs: settle it (retryable later) instead of leaving it PENDING forever.
      await this.outcomes.fail(ids, 'WORKFLOW_START_FAILED', `could not start the import workflow: ${(error as Error).message}`);
      throw error;
    }
    return operation;
  }
}
