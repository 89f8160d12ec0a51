import type { EntityManager } from 'typeorm';
import { evaluateGates, type PromotionEvidence } from '../domain/governance/gates';
import type { LicenseUsage } from '../domain/governance/license-check';
import type { TargetPolicy } from '../domain/governance/promotion-policy';
import type { EvidenceSnapshot } from '../domain/governance/promotion-request';
import type { ModelEntity } from '../persistence/entities/model.entity';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import type { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import { projectOf } from '../domain/governance/project';
import { Gate } from '../domain/governance/promotion-policy';
import type { LicenseCheckService } from './license-check.service';
import type { SignatureService } from './signature.service';

/** The services that judge a version's license and upstream signature as they stand now. */
export interface EvidenceSources {
  licenses: LicenseCheckService;
  signatures: SignatureService;
}

/** Who asks and who signed off: the evidence gate leaves out what the requester typed in themselves. */
export interface EvidenceParties {
  requester: string;
  approvers: readonly string[];
}

interface MeasurementCounts {
  evaluations: number;
  benchmarks: number;
  self_recorded: number;
}

/**
 * Evaluations and benchmarks of the accepted provenances. A row the requester recorded (any provenance but
 * MEASURED, which our own runs produce: its number was typed by nobody) never counts for their own request;
 * `recorded_by` names who recorded a row.
 */
const MEASUREMENTS = `
  WITH rows AS (
    SELECT 'evaluation' AS kind, provenance, recorded_by FROM evaluations WHERE version_id = $1 AND provenance = ANY($2)
    UNION ALL
    SELECT 'benchmark', provenance, recorded_by FROM benchmarks WHERE version_id = $1 AND provenance = ANY($2))
  SELECT count(*) FILTER (WHERE kind = 'evaluation' AND NOT self)::int AS evaluations,
         count(*) FILTER (WHERE kind = 'benchmark' AND NOT self)::int AS benchmarks,
         count(*) FILTER (WHERE self)::int AS self_recorded
    FROM (SELECT kind, (provenance <> 'MEASURED' AND recorded_by IS NOT DISTINCT FROM $3) AS self FROM rows) r`;

async function measurements(tx: EntityManager, versionId: string, policy: TargetPolicy, requester: string): Promise<MeasurementCounts> {
  const [row] = (await tx.query(MEASUREMENTS, [versionId, [...policy.evidenceProvenances], requester])) as MeasurementCounts[];
  return row;
}

/**
 * Everything the gates look at, read inside the caller's transaction (the model and version already locked), so
 * the snapshot stored with a request or decision is exactly what was decided on. Read again at every approval
 * and at publish: evidence is never taken from an earlier snapshot.
 */
export async function gatherEvidence(
  tx: EntityManager,
  { licenses, signatures }: EvidenceSources,
  { model, version }: { model: ModelEntity; version: VersionEntity },
  policy: TargetPolicy,
  usage: LicenseUsage,
  parties: EvidenceParties,
): Promise<PromotionEvidence> {
  const [fileCount, scan, counts, license, signature] = [
    await tx.getRepository(VersionFileEntity).countBy({ versionId: version.id }),
    await tx.getRepository(ScanResultEntity).findOne({ where: { versionId: version.id }, order: { startedAt: 'DESC', id: 'DESC' }, select: { id: true, status: true } }),
    await measurements(tx, version.id, policy, parties.requester),
    await licenses.evaluate(tx, model, version.id, usage),
    await signatures.asTrustedNow(tx, projectOf(model), version, policy.gates.includes(Gate.SIGNATURE_VALID)),
  ];
  return {
    version: version.version,
    filesComplete: version.filesComplete,
    fileCount,
    scan: scan ? { id: scan.id, status: scan.status } : null,
    evaluations: counts.evaluations,
    benchmarks: counts.benchmarks,
    selfRecorded: counts.self_recorded,
    usage,
    license: { outcome: license.outcome, licenseId: license.licenseId, reasons: license.reasons },
    licenseAcknowledged: license.acknowledged,
    approvers: parties.approvers,
    signature,
  };
}

export function snapshot(policy: TargetPolicy, evidence: PromotionEvidence): EvidenceSnapshot {
  return { evidence, gates: evaluateGates(policy, evidence), at: new Date().toISOString() };
}
