import type { DataSource } from 'typeorm';
import type { DeclaredMetadata, MetadataMismatch } from '../domain/artifacts/verified-metadata';
import { findMismatches } from '../domain/artifacts/verified-metadata';
import { ModelStatus } from '../domain/lifecycle/model-status';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { OperationStatus } from '../domain/onboarding/operation';
import { VersionStatus } from '../domain/versioning/version-status';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { Inspection } from './artifact-inspection.service';
import { lockModel } from './model-lock';
import { moveModel } from './model-transition';
import type { OperationService } from './operation.service';

export interface ImportIds {
  operationId: string;
  modelId: string;
  versionId: string;
}

const WORKER = 'onboarding-worker';

/** Ends an import in one transaction: manifest, metadata, lifecycle move and operation status together. */
export class ImportOutcomeService {
  constructor(
    private readonly db: DataSource,
    private readonly operations: OperationService,
  ) {}

  async complete(ids: ImportIds, manifest: ManifestEntry[], inspection: Inspection): Promise<{ status: ModelStatus; mismatches: MetadataMismatch[] }> {
    return this.db.transaction(async (tx) => {
      const model = await lockModel(tx, ids.modelId);
      const version = await tx.getRepository(VersionEntity).findOneByOrFail({ id: ids.versionId });
      const declared: DeclaredMetadata = version.declaredMetadata ?? { architecture: null, parameterCount: null, contextLength: null, license: null };
      const mismatches = findMismatches(declared, inspection.verified);
      const problems = [...inspection.problems, ...mismatches.map((m) => `${m.field}: declared ${m.declared}, files say ${m.verified}`)];
      await tx.getRepository(VersionFileEntity).delete({ versionId: version.id });
      await tx.getRepository(VersionFileEntity).insert(manifest.map((entry) => ({ ...entry, versionId: version.id })));
      const passed = problems.length === 0;
      Object.assign(version, {
        status: passed ? VersionStatus.READY : VersionStatus.FAILED,
        statusReason: passed ? null : problems.join('; '),
        verifiedMetadata: inspection.verified,
        metadataMismatches: mismatches,
      });
      await tx.getRepository(VersionEntity).save(version);
      // Verified facts fill what the user left empty; declared values stay, mismatches are flagged instead.
      const v = inspection.verified;
      model.architecture ??= v.architecture;
      model.parameterCount ??= v.parameterCount === null ? null : BigInt(v.parameterCount);
      model.contextLength ??= v.contextLength;
      model.requirements ??= inspection.requirements;
      if (passed && model.defaultVersionId === null) model.defaultVersionId = version.id;
      const to = passed ? ModelStatus.VERIFIED : ModelStatus.NEEDS_ATTENTION;
      await moveModel(tx, model, to, passed ? `version ${version.version} verified` : problems.join('; ').slice(0, 2000), WORKER);
      await this.operations.update(
        ids.operationId,
        passed
          ? { status: OperationStatus.SUCCEEDED, progress: 1, currentStep: 'done', message: `${manifest.length} files verified` }
          : { status: OperationStatus.FAILED, progress: 1, currentStep: 'verification', errorCode: 'VERIFICATION_FAILED', errorMessage: problems.join('; ') },
        tx,
      );
      return { status: to, mismatches };
    });
  }

  async fail(ids: ImportIds, code: string, message: string): Promise<void> {
    await this.end(ids, OperationStatus.FAILED, code, message);
  }

  async cancelled(ids: ImportIds): Promise<void> {
    await this.end(ids, OperationStatus.CANCELLED, 'CANCELLED', 'import cancelled');
  }

  /** No manifest is written on these paths: a version is either complete or has no files at all. */
  private async end(ids: ImportIds, status: OperationStatus, code: string, message: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const model = await lockModel(tx, ids.modelId);
      await tx.getRepository(VersionFileEntity).delete({ versionId: ids.versionId });
      await tx.getRepository(VersionEntity).update({ id: ids.versionId }, { status: VersionStatus.FAILED, statusReason: message.slice(0, 2000) });
      if (model.status === ModelStatus.INGESTING) await moveModel(tx, model, ModelStatus.NEEDS_ATTENTION, message.slice(0, 2000), WORKER);
      await this.operations.update(ids.operationId, { status, errorCode: code, errorMessage: message, currentStep: null }, tx);
    });
  }
}
