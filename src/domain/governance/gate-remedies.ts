import { Provenance } from '../catalog/catalog-enums';
import { ScanStatus } from '../scanning/scan-enums';
import { LicenseOutcome } from './license-check';
import type { PromotionEvidence } from './gates';
import { Gate, type TargetPolicy } from './promotion-policy';

/** How evidence of each provenance comes to exist: what a refused requester can do about the evidence gate. */
const EVIDENCE_SOURCES: Readonly<Record<Provenance, string>> = {
  [Provenance.MEASURED]: 'runEvaluation or runBenchmark (MEASURED)',
  [Provenance.RECORDED]: 'recordEvaluation or recordBenchmark by someone other than the requester (RECORDED)',
  [Provenance.REPORTED]: "refreshReportedScores from the model card's model-index (REPORTED)",
};

const EVERY_PROVENANCE = [Provenance.MEASURED, Provenance.RECORDED, Provenance.REPORTED];

function scanRemedy(e: PromotionEvidence, policy: TargetPolicy): string {
  if (e.scan?.status === ScanStatus.SKIPPED) {
    return 'configure ClamAV (CLAMD_HOST or CLAMD_SOCKET on the worker) and rescan with scanVersion(versionId), or let this project accept skipped scans with configureProject(input: { id, allowSkippedScan: true }) (an admin of the project)';
  }
  if (e.scan?.status === ScanStatus.SCANNING) return 'wait for the running scan to end (its operation tells), then request again';
  if (!e.scan) return `scan it with scanVersion(versionId)${policy.allowSkippedScan ? '' : ' (a SKIPPED scan counts only with allowSkippedScan in configureProject)'}`;
  return 'a version whose files fail the scan is never promoted: fix the files in a new version; scanVersion(versionId) rescans when the verdict was wrong';
}

function evidenceRemedy(policy: TargetPolicy): string {
  const accepted = policy.evidenceProvenances.map((p) => EVIDENCE_SOURCES[p]);
  const others = EVERY_PROVENANCE.filter((p) => !policy.evidenceProvenances.includes(p));
  const widen = others.length ? `; this request's frozen policy does not count ${others.join(' or ')} (configureProject(input: { id, evidenceProvenances }) changes it for requests opened afterwards)` : '';
  return `add evidence with ${accepted.join(', or ')}${widen}`;
}

function licenseRemedy(e: PromotionEvidence): string {
  if (e.license.licenseId === null) return 'the model declares no license: set one with updateModel(id, input: { license })';
  return `change the usage of the request, or the model's license or restrictions with updateModel(id, input: { license, licenseRestrictions })`;
}

/** What would satisfy a failed gate: which mutation to call, which setting to change. Appended to its refusal. */
export function gateRemedy(gate: Gate, e: PromotionEvidence, policy: TargetPolicy): string {
  switch (gate) {
    case Gate.CHECKSUMS_VERIFIED:
      return 'import or upload its files (importModel, retryOperation, or the upload then submitVersion) until the version is VERIFIED';
    case Gate.SCAN_PASSED:
      return scanRemedy(e, policy);
    case Gate.EVALUATION_EVIDENCE:
      return evidenceRemedy(policy);
    case Gate.APPROVALS:
      return `approvers of the project other than the requester sign off with approvePromotion(requestId) (${policy.requiredApprovals} needed; configureProject targets.requiredApprovals sets how many)`;
    case Gate.LICENSE_ALLOWED:
      return e.license.outcome === LicenseOutcome.BLOCKED ? licenseRemedy(e) : 'check the license with licenseCheck';
    case Gate.LICENSE_ACKNOWLEDGED:
      return 'acknowledgeLicense(versionId, usage) for this usage, then request again';
    case Gate.SIGNATURE_VALID:
      return e.signature
        ? 'the signed files differ from what was signed or the signer is not trusted: import the version again from its signed source, or trust its key or CA with configureProject(input: { id, trustedSigningKeys | trustedSigningCertificates }) and retry the import'
        : 'import the version from a source whose files carry a model.sig signed by a key or CA this project trusts; an unsigned version cannot pass this gate (configureProject turns requireSignature off or takes the gate out of the target)';
  }
}
