import type { DataSource, EntityManager } from 'typeorm';
import type { DeclaredMetadata, MetadataMismatch } from '../domain/artifacts/verified-metadata';
import { findMismatches } from '../domain/artifacts/verified-metadata';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { isLive, OperationStatus } from '../domain/onboarding/operation';
import { ModelEntity } from '../persistence/entities/model.entity';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { Inspection } from './artifact-inspection.service';
import { adoptCardLicense } from './card-license';
import { adoptVerified } from './default-version';
import type { ImportListingService } from './import-listing.service';
import { lockVersion, moveVersion } from './model-transition';
import type { OperationService } from './operation.service';
import { abandonScans } from './scan-abandon';
import { replaceReportedScores } from './reported-scores';
import { scanProblems } from './scan-verdict-lookup';
import { counted } from '../domain/common/plural';
import { projectOf } from '../domain/governance/project';
import type { SignatureService } from './signature.service';

export interface ImportIds {
  operationId: string;
  modelId: string;
  versionId: string;
}

export interface ImportOutcome {
  /** The version's stage after settling (or as found, when the operation had already ended). */
  status: LifecycleStage;
  /** False when the operation had already ended: this call changed nothing. */
  settled: boolean;
  mismatches: MetadataMismatch[];
}

const WORKER = 'onboarding-worker';
// Well under Postgres' 65,535 bind parameters per statement (5 columns a row).
const INSERT_CHUNK = 1000;

/**
 * Ends an import in one transaction: manifest, metadata, lifecycle move and operation status together.
 * Every method is compare-and-set on the operation: it acts only while the operation is PENDING/RUNNING,
 * so a retried activity, a crashed worker's second attempt or a racing cancel changes nothing twice.
 * No caller: these settle an import someone was allowed to start (checked by importModel, retryOperation or
 * submitVersion, in their transaction); the workflow, the reconciler and a failed start call them.
 */
export class ImportOutcomeService {
  constructor(
    private readonly db: DataSource,
    private readonly operations: OperationService,
    private readonly listings: ImportListingService,
    /** Checks an upstream `model.sig` against the files as stored (null: signatures are not looked at). */
    private readonly signatures: SignatureService | null = null,
  ) {}

  async complete(ids: ImportIds, inspection: Inspection): Promise<ImportOutcome> {
    return this.db.transaction(async (tx) => {
      const live = await this.lockLive(tx, ids);
      if (!live.live) return recorded(live.version);
      const { model, version } = live;
      const manifest = await this.listings.manifest(ids.operationId, tx);
      const declared: DeclaredMetadata = version.declaredMetadata ?? { architecture: null, parameterCount: null, contextLength: null, license: null };
      // A licence the model took on after this version was registered is declared too: a card that says otherwise is a finding.
      const mismatches = findMismatches({ ...declared, license: declared.license ?? model.licenseId }, inspection.verified);
      // No version is VERIFIED without a passing scan of this import's files (an import that never scanned fails closed).
      const scan = await scanProblems(tx, ids.operationId);
      // A signature that does not hold (or none, where the project requires one) is a finding like a broken file.
      const signature = this.signatures ? await this.signatures.checkUpstream(tx, projectOf(model), version, manifest) : [];
      const problems = [...inspection.problems, ...mismatches.map((m) => `${m.field}: declared ${m.declared}, files say ${m.verified}`), ...signature, ...scan];
      await tx.getRepository(VersionFileEntity).delete({ versionId: version.id });
      for (let i = 0; i < manifest.length; i += INSERT_CHUNK) {
        await tx.getRepository(VersionFileEntity).insert(manifest.slice(i, i + INSERT_CHUNK).map((entry) => ({ ...entry, versionId: version.id })));
      }
      const passed = problems.length === 0;
      await tx.getRepository(VersionEntity).update(
        { id: version.id },
        { verifiedMetadata: inspection.verified, metadataMismatches: mismatches, sourceRevision: live.revision ?? version.sourceRevision },
      );
      const reason = passed ? `${counted(manifest.length, 'file')} verified` : problems.join('; ');
      await moveVersion(tx, model, version, passed ? LifecycleStage.VERIFIED : LifecycleStage.NEEDS_ATTENTION, reason, WORKER, {
        statusReason: passed ? null : reason.slice(0, 20_000),
        filesComplete: true,
      });
      // Verified facts fill what the user left empty; declared values stay, mismatches are flagged instead.
      const v = inspection.verified;
      model.architecture ??= v.architecture;
      model.parameterCount ??= v.parameterCount === null ? null : BigInt(v.parameterCount);
      model.contextLength ??= v.contextLength;
      model.requirements ??= inspection.requirements;
      // The default only ever points at a usable version: it moves here, once verified (audited, by the system).
      if (passed) await adoptVerified(tx, model, version);
      if (passed) await adoptCardLicense(tx, model, version.id, v);
      await tx.save(model);
      // What the model card claims, shown beside what we measure; in this transaction, so written once.
      await replaceReportedScores(tx, { modelId: model.id, versionId: version.id }, inspection.reported ?? [], WORKER, {
        revision: live.revision ?? version.sourceRevision,
        fetchedAt: new Date(),
      });
      await this.operations.update(
        ids.operationId,
        passed
          ? { status: OperationStatus.SUCCEEDED, progress: 1, currentStep: 'done', message: reason }
          : {
              status: OperationStatus.FAILED,
              progress: 1,
              currentStep: 'verification',
              errorCode: scan.length > 0 && problems.length === scan.length ? 'SCAN_FAILED' : 'VERIFICATION_FAILED',
              errorMessage: reason.slice(0, 20_000),
            },
        tx,
      );
      return { status: version.status, settled: true, mismatches };
    });
  }

  fail(ids: ImportIds, code: string, message: string): Promise<ImportOutcome> {
    return this.end(ids, OperationStatus.FAILED, code, message);
  }

  cancelled(ids: ImportIds): Promise<ImportOutcome> {
    return this.end(ids, OperationStatus.CANCELLED, 'CANCELLED', 'import cancelled');
  }

  /**
   * The version goes to NEEDS_ATTENTION with the reason; its files are left as they were (none, or a complete
   * manifest from an earlier run), because a manifest is only ever written whole, by `complete`.
   */
  private async end(ids: ImportIds, status: OperationStatus, code: string, message: string): Promise<ImportOutcome> {
    return this.db.transaction(async (tx) => {
      const live = await this.lockLive(tx, ids);
      if (!live.live) return recorded(live.version);
      const reason = message.slice(0, 20_000);
      await abandonScans(tx, ids.operationId, reason);
      if (live.version.status === LifecycleStage.INGESTING) {
        await moveVersion(tx, live.model, live.version, LifecycleStage.NEEDS_ATTENTION, reason, WORKER, { statusReason: reason });
      }
      await this.operations.update(ids.operationId, { status, errorCode: code, errorMessage: reason, currentStep: null }, tx);
      return { status: live.version.status, settled: true, mismatches: [] };
    });
  }

  /**
   * Model, then operation, then version (one lock order). Not live when the operation already ended, or its
   * model was deleted meanwhile (the rows are gone with it): then nothing is written.
   */
  private async lockLive(tx: EntityManager, ids: ImportIds): Promise<LockedImport> {
    const model = await tx.getRepository(ModelEntity).findOne({ where: { id: ids.modelId }, lock: { mode: 'pessimistic_write' } });
    const operation = await this.operations.lockForSettling(tx, ids.operationId);
    const version = await lockVersion(tx, ids.versionId);
    if (!model || !operation || !isLive(operation.status) || !version) return { live: false, version };
    return { live: true, model, version, revision: operation.sourceRevision };
  }
}

type LockedImport =
  | { live: true; model: ModelEntity; version: VersionEntity; revision: string | null }
  | { live: false; version: VersionEntity | null };

function recorded(version: VersionEntity | null): ImportOutcome {
  return { status: version?.status ?? LifecycleStage.NEEDS_ATTENTION, settled: false, mismatches: version?.metadataMismatches ?? [] };
}
