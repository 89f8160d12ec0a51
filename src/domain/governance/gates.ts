import { PolicyViolationError } from '../common/domain-error';
import { ScanStatus } from '../scanning/scan-enums';
import { LicenseOutcome, type LicenseUsage, type LicenseVerdict } from './license-check';
import { gateRemedy } from './gate-remedies';
import { Gate, type PromotionTarget, type TargetPolicy } from './promotion-policy';
import { counted } from '../common/plural';

/** What the gates look at, read in one transaction; stored with a request as its evidence snapshot. */
export interface PromotionEvidence {
  version: string;
  filesComplete: boolean;
  fileCount: number;
  /** The version's latest scan, if any. */
  scan: { id: string; status: ScanStatus } | null;
  /** Evaluations and benchmarks that count: of a provenance the policy accepts, not typed in by the requester. */
  evaluations: number;
  benchmarks: number;
  /** Rows of an accepted provenance the requester recorded themselves: never evidence for their own request. */
  selfRecorded: number;
  usage: LicenseUsage;
  license: LicenseVerdict;
  /** An acknowledgment exists for the current license text and this usage. */
  licenseAcknowledged: boolean;
  /** Approvers who signed off, never including the requester. */
  approvers: readonly string[];
  /** What the version's upstream `model.sig` proved when its files were verified; null when it carried none (absent in snapshots taken before the signature gate). */
  signature?: { valid: boolean; problems: readonly string[] } | null;
}

export interface GateResult {
  gate: Gate;
  passed: boolean;
  detail: string;
}

type Check = (evidence: PromotionEvidence, policy: TargetPolicy) => Omit<GateResult, 'gate'>;

function scanCheck(evidence: PromotionEvidence, policy: TargetPolicy): Omit<GateResult, 'gate'> {
  const { scan } = evidence;
  if (!scan) return { passed: false, detail: `version ${evidence.version} has no security scan recorded` };
  if (scan.status === ScanStatus.PASSED) return { passed: true, detail: 'the latest scan PASSED' };
  if (scan.status === ScanStatus.SKIPPED) {
    return policy.allowSkippedScan
      ? { passed: true, detail: 'the latest scan was SKIPPED (ClamAV not configured), which this project allows' }
      : { passed: false, detail: 'the latest scan was SKIPPED (ClamAV not configured); this project needs a PASSED scan' };
  }
  return { passed: false, detail: `the latest scan is ${scan.status}` };
}

function evidenceCheck(e: PromotionEvidence, policy: TargetPolicy): Omit<GateResult, 'gate'> {
  const accepted = policy.evidenceProvenances.join(' or ');
  if (e.evaluations + e.benchmarks > 0) return { passed: true, detail: `${counted(e.evaluations, 'evaluation')}, ${counted(e.benchmarks, 'benchmark')} (${accepted})` };
  const own = e.selfRecorded > 0 ? `; ${e.selfRecorded} recorded by the requester do not count for their own request` : '';
  return { passed: false, detail: `Version ${e.version} has no evaluation or benchmark recorded that counts as evidence (${accepted})${own}; ${policy.target} needs evidence` };
}

const CHECKS: Readonly<Record<Gate, Check>> = {
  [Gate.CHECKSUMS_VERIFIED]: (e) =>
    e.filesComplete && e.fileCount > 0
      ? { passed: true, detail: `${counted(e.fileCount, 'file')} with verified sha256` }
      : { passed: false, detail: `version ${e.version} has no verified files (checksums were not verified)` },
  [Gate.SCAN_PASSED]: scanCheck,
  [Gate.EVALUATION_EVIDENCE]: evidenceCheck,
  [Gate.APPROVALS]: (e, policy) => {
    const needed = policy.requiredApprovals;
    return e.approvers.length >= needed
      ? { passed: true, detail: `${e.approvers.length} of ${needed} approvals` }
      : { passed: false, detail: `${e.approvers.length} of ${needed} approvals from approvers other than the requester` };
  },
  [Gate.LICENSE_ALLOWED]: (e) =>
    e.license.outcome === LicenseOutcome.BLOCKED
      ? { passed: false, detail: `the license check BLOCKED this usage: ${e.license.reasons.filter((r) => r.severity === 'BLOCK').map((r) => r.message).join('; ')}` }
      : { passed: true, detail: `the license check says ${e.license.outcome}` },
  [Gate.SIGNATURE_VALID]: (e) => {
    if (!e.signature) return { passed: false, detail: `version ${e.version} carries no upstream signature (model.sig)` };
    return e.signature.valid
      ? { passed: true, detail: 'its upstream signature verified against the files' }
      : { passed: false, detail: `its upstream signature does not verify: ${e.signature.problems.join('; ')}` };
  },
  [Gate.LICENSE_ACKNOWLEDGED]: (e) =>
    e.license.outcome !== LicenseOutcome.WARN || e.licenseAcknowledged
      ? { passed: true, detail: e.license.outcome === LicenseOutcome.WARN ? 'the license warnings were acknowledged' : 'no license warnings to acknowledge' }
      : { passed: false, detail: `the license check warns (${e.license.reasons.filter((r) => r.severity === 'WARN').map((r) => r.code).join(', ')}); acknowledgeLicense for this usage first` },
};

/** Every gate of a request's frozen policy, in policy order, passed or not. */
export function evaluateGates(policy: TargetPolicy, evidence: PromotionEvidence): GateResult[] {
  return policy.gates.map((gate) => {
    const result = CHECKS[gate](evidence, policy);
    // A refusal says what would satisfy it (which mutation, which setting), not only what is missing.
    return result.passed ? { gate, ...result } : { gate, passed: false, detail: `${result.detail}. To pass: ${gateRemedy(gate, evidence, policy)}` };
  });
}

/** A promotion refused by a gate; `gate` names it (and `rule`, as the earlier lifecycle gates did). */
export class GateFailedError extends PolicyViolationError {
  constructor(target: PromotionTarget, result: GateResult) {
    super(`${target} gate "${result.gate}" failed: ${result.detail}`, { gate: result.gate, rule: result.gate, target });
  }
}

/** Throws for the first failed gate, leaving out `pending` ones (approvals still to come on an open request). */
export function requireGates(target: PromotionTarget, results: readonly GateResult[], pending: readonly Gate[] = []): void {
  const failed = results.find((r) => !r.passed && !pending.includes(r.gate));
  if (failed) throw new GateFailedError(target, failed);
}
