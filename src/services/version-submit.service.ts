import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { SourceType } from '../domain/catalog/catalog-enums';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { type ImportSource, validateImportSource } from '../domain/onboarding/import-source';
import { OperationKind, type OperationRecord, workflowIds } from '../domain/onboarding/operation';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { ImportOutcomeService } from './import-outcome.service';
import { lockModel } from './model-lock';
import { lockVersion, moveVersion } from './model-transition';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import type { VersionFilesService } from './version-files.service';
import type { WorkflowGateway } from './workflow-gateway';

/**
 * Ends a DRAFT's editing (or imports the upstream commit a DRAFT proposal points at): the version moves to INGESTING (its files immutable from here on) and the import
 * workflow runs over its uploaded blobs, so uploads are verified, inspected and scanned exactly like imports
 * and settle VERIFIED or NEEDS_ATTENTION the same way (retryOperation works too). Needs the editor role in the
 * version's project as it is inside the transaction.
 */
export class VersionSubmitService {
  constructor(
    private readonly db: DataSource,
    private readonly files: VersionFilesService,
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    private readonly outcomes: ImportOutcomeService,
    private readonly access: ProjectAccessService,
  ) {}

  async submit(caller: Caller, versionId: string): Promise<OperationRecord> {
    const id = uuid('versionId', versionId);
    const uploaded = { type: SourceType.CUSTOM as const, storagePath: `versions/${id}`, draftVersionId: id };
    let source: ImportSource = uploaded;
    const planned = await this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOneBy({ id });
      if (!found) throw new NotFoundError('Version', id);
      const model = await lockModel(tx, found.modelId);
      await this.access.authorize(caller, 'Version', id, Role.EDITOR, 'Submitting a version', tx);
      const version = await lockVersion(tx, id);
      if (!version) throw new NotFoundError('Version', id);
      if (version.status !== LifecycleStage.DRAFT) {
        // Submitting twice answers the running import instead of a second one.
        const live = await this.operations.live(tx, workflowIds.import(id));
        if (live) return { operation: live, fresh: false };
        throw new ConflictError(`Version ${version.version} is ${version.status}; only a DRAFT version can be submitted`, { status: version.status });
      }
      const files = await this.files.files(caller, id, tx);
      const proposed = files.length === 0 ? proposedCommit(version.source) : null;
      if (proposed) {
        // A DRAFT the upstream watch proposed: its files are the commit it points at, imported from the hub.
        source = proposed;
        await moveVersion(tx, model, version, LifecycleStage.INGESTING, `import of upstream commit ${proposed.revision} of ${proposed.repoId}`, caller.subject);
      } else {
        if (files.length === 0) throw new ConflictError(`Version ${version.version} has no files to submit; upload some first`, { files: 0 });
        const bytes = files.reduce((n, f) => n + f.size, 0);
        await tx.getRepository(VersionEntity).update({ id }, { source: { ...uploaded } });
        await moveVersion(tx, model, version, LifecycleStage.INGESTING, `submitted with ${files.length} uploaded files (${bytes} bytes)`, caller.subject);
      }
      const operation = await this.operations.create(tx, {
        kind: OperationKind.IMPORT,
        modelId: model.id,
        versionId: id,
        workflowId: workflowIds.import(id),
        input: { source: { ...source } },
        createdBy: caller.subject,
      });
      return { operation, fresh: true };
    });
    if (!planned.fresh) return planned.operation;
    const ids = { operationId: planned.operation.id, modelId: planned.operation.modelId, versionId: id };
    try {
      const started = await this.workflows.startImport(planned.operation.workflowId, { ...ids, source });
      if (started === 'already-running') {
        await this.outcomes.fail(ids, 'ALREADY_RUNNING', 'a previous import of this version was still closing; retry this operation');
        throw new ConflictError('A previous import of this version is still closing; retry the operation in a few seconds', { operationId: ids.operationId });
      }
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      // Intent is recorded but nothing runs: settle it (retryable) instead of leaving it PENDING forever.
      await this.outcomes.fail(ids, 'WORKFLOW_START_FAILED', `could not start the import workflow: ${(error as Error).message}`);
      throw error;
    }
    return planned.operation;
  }
}

/** A Hugging Face source pinned to a commit (what the upstream watch records on a proposal), or null. */
function proposedCommit(source: Record<string, unknown> | null): Extract<ImportSource, { type: SourceType.HUGGING_FACE }> | null {
  if (source?.type !== SourceType.HUGGING_FACE || typeof source.repoId !== 'string' || typeof source.revision !== 'string') return null;
  const valid = validateImportSource({ sourceType: SourceType.HUGGING_FACE, repoId: source.repoId, revision: source.revision });
  return valid.type === SourceType.HUGGING_FACE ? valid : null;
}
