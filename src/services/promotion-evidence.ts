import type { EntityManager } from 'typeorm';
import { evaluateGates, type PromotionEvidence } from '../domain/governance/gates';
import type { LicenseUsage } from '../domain/governance/license-check';
import type { PromotionPolicy, PromotionTarget } from '../domain/governance/promotion-policy';
import type { EvidenceSnapshot } from '../domain/governance/promotion-request';
import { BenchmarkEntity } from '../persistence/entities/benchmark.entity';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { LicenseCheckService } from './license-check.service';

/**
 * Everything the gates look at, read inside the caller's transaction (the model and version already locked), so
 * the snapshot stored with a request or decision is exactly what was decided on.
 */
export async function gatherEvidence(
  tx: EntityManager,
  licenses: LicenseCheckService,
  model: ModelEntity,
  version: VersionEntity,
  usage: LicenseUsage,
  approvers: readonly string[],
): Promise<PromotionEvidence> {
  const [fileCount, scan, evaluations, benchmarks, license] = [
    await tx.getRepository(VersionFileEntity).countBy({ versionId: version.id }),
    await tx.getRepository(ScanResultEntity).findOne({ where: { versionId: version.id }, order: { startedAt: 'DESC', id: 'DESC' }, select: { id: true, status: true } }),
    // Evidence is what we measured (or recorded by hand): scores a model card reports are shown, never counted.
    await tx.getRepository(EvaluationEntity).countBy({ versionId: version.id, provenance: 'MEASURED' }),
    await tx.getRepository(BenchmarkEntity).countBy({ versionId: version.id, provenance: 'MEASURED' }),
    await licenses.evaluate(tx, model, version.id, usage),
  ];
  return {
    version: version.version,
    filesComplete: version.filesComplete,
    fileCount,
    scan: scan ? { id: scan.id, status: scan.status } : null,
    evaluations,
    benchmarks,
    usage,
    license: { outcome: license.outcome, licenseId: license.licenseId, reasons: license.reasons },
    licenseAcknowledged: license.acknowledged,
    approvers,
  };
}

export function snapshot(policy: PromotionPolicy, target: PromotionTarget, evidence: PromotionEvidence): EvidenceSnapshot {
  return { evidence, gates: evaluateGates(policy, target, evidence), at: new Date().toISOString() };
}
