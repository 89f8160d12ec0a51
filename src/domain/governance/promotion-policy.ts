import { Provenance } from '../catalog/catalog-enums';
import { ValidationError } from '../common/domain-error';
import { LifecycleStage } from '../lifecycle/lifecycle-stage';

/** The checks a promotion can be held to; each names itself in a refusal (POLICY_VIOLATION `gate`). */
export enum Gate {
  CHECKSUMS_VERIFIED = 'checksums-verified',
  SCAN_PASSED = 'scan-passed',
  EVALUATION_EVIDENCE = 'evaluation-evidence',
  APPROVALS = 'approvals',
  LICENSE_ALLOWED = 'license-allowed',
  LICENSE_ACKNOWLEDGED = 'license-acknowledged',
  SIGNATURE_VALID = 'signature-valid',
}

/** The stages a version is promoted into under a policy (ARCHIVED is a decision of its own, not a promotion). */
export type PromotionTarget = LifecycleStage.VERIFIED | LifecycleStage.EVALUATED | LifecycleStage.PUBLISHED;
export const PROMOTION_TARGETS: readonly PromotionTarget[] = [LifecycleStage.VERIFIED, LifecycleStage.EVALUATED, LifecycleStage.PUBLISHED];

export function isPromotionTarget(stage: LifecycleStage): stage is PromotionTarget {
  return (PROMOTION_TARGETS as readonly LifecycleStage[]).includes(stage);
}

/**
 * What the upstream watch does when a Hugging Face model's tracked ref gets a new commit (besides the event):
 * PROPOSE records a DRAFT version pointing at the commit (submitVersion imports it); IMPORT imports it at once.
 */
export enum UpstreamChanges {
  PROPOSE = 'PROPOSE',
  IMPORT = 'IMPORT',
}

/** A project's rules for promotions: which gates each target needs and how many approvers sign off. */
export interface PromotionPolicy {
  gates: Readonly<Record<PromotionTarget, readonly Gate[]>>;
  requiredApprovals: Readonly<Record<PromotionTarget, number>>;
  /** A SKIPPED scan (no ClamAV configured; the format scanners passed) counts as passed. */
  allowSkippedScan: boolean;
  /** Evaluations and benchmarks of these provenances count for the evidence gate. */
  evidenceProvenances: readonly Provenance[];
  /** The project's answer to a new upstream commit. */
  upstreamChanges: UpstreamChanges;
  /**
   * An import is VERIFIED only when its files carry a valid upstream signature (`model.sig`), and every promotion
   * target holds the signature gate, so versions verified before the project asked for signatures are not promoted.
   */
  requireSignature: boolean;
}

/**
 * The policy one request is held to, frozen when it opens: a project's later changes apply to requests opened
 * afterwards, so removing a gate cannot wave an open request through and adding one strands nothing.
 */
export interface TargetPolicy {
  target: PromotionTarget;
  gates: readonly Gate[];
  /** 0 when the target has no approvals gate. */
  requiredApprovals: number;
  allowSkippedScan: boolean;
  evidenceProvenances: readonly Provenance[];
}

const INTEGRITY = [Gate.CHECKSUMS_VERIFIED, Gate.SCAN_PASSED];

/**
 * The defaults: every later stage re-checks the earlier ones' evidence (a rescan that FAILED after verification
 * stops publication), PUBLISHED needs one approver other than the requester and a license fit for the usage.
 */
export const DEFAULT_POLICY: PromotionPolicy = Object.freeze({
  gates: Object.freeze({
    [LifecycleStage.VERIFIED]: INTEGRITY,
    [LifecycleStage.EVALUATED]: [...INTEGRITY, Gate.EVALUATION_EVIDENCE],
    [LifecycleStage.PUBLISHED]: [...INTEGRITY, Gate.EVALUATION_EVIDENCE, Gate.APPROVALS, Gate.LICENSE_ALLOWED, Gate.LICENSE_ACKNOWLEDGED],
  }),
  requiredApprovals: Object.freeze({ [LifecycleStage.VERIFIED]: 0, [LifecycleStage.EVALUATED]: 0, [LifecycleStage.PUBLISHED]: 1 }),
  allowSkippedScan: false,
  // Only what our own runs measured: a typed-in or card-reported number is shown, never evidence, unless a project says so.
  evidenceProvenances: Object.freeze([Provenance.MEASURED]),
  // A person looks before new upstream bytes enter the registry.
  upstreamChanges: UpstreamChanges.PROPOSE,
  requireSignature: false,
});

const GATES = new Set<string>(Object.values(Gate));
export const MAX_APPROVALS = 10;

/** A partial policy as stored per project (only what differs from the defaults). */
export interface PolicyOverrides {
  gates?: Partial<Record<PromotionTarget, readonly string[]>>;
  requiredApprovals?: Partial<Record<PromotionTarget, number>>;
  allowSkippedScan?: boolean;
  evidenceProvenances?: readonly string[];
  upstreamChanges?: string;
  requireSignature?: boolean;
}

function gateList(target: PromotionTarget, names: readonly string[]): Gate[] {
  const unknown = names.filter((name) => !GATES.has(name));
  if (unknown.length) throw new ValidationError(`gates.${target}`, `unknown gate(s) ${unknown.join(', ')}; gates are ${[...GATES].join(', ')}`);
  return [...new Set(names as Gate[])];
}

function approvals(target: PromotionTarget, count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > MAX_APPROVALS) throw new ValidationError(`requiredApprovals.${target}`, `must be an integer from 0 to ${MAX_APPROVALS}`);
  return count;
}

const PROVENANCES: readonly Provenance[] = Object.values(Provenance);

function provenances(names: readonly string[]): Provenance[] {
  const unknown = names.filter((name) => !(PROVENANCES as readonly string[]).includes(name));
  if (unknown.length) throw new ValidationError('evidenceProvenances', `unknown provenance(s) ${unknown.join(', ')}; provenances are ${PROVENANCES.join(', ')}`);
  if (names.length === 0) throw new ValidationError('evidenceProvenances', 'needs at least one provenance (take the evidence gate off to need no evidence)');
  return PROVENANCES.filter((name) => names.includes(name));
}

/** Defaults overlaid with a project's overrides; refuses what is not a policy (so a stored one is always valid). */
export function resolvePolicy(overrides: PolicyOverrides | null | undefined): PromotionPolicy {
  const gates = { ...DEFAULT_POLICY.gates };
  const required = { ...DEFAULT_POLICY.requiredApprovals };
  for (const target of PROMOTION_TARGETS) {
    const names = overrides?.gates?.[target];
    if (names) gates[target] = gateList(target, names);
    const count = overrides?.requiredApprovals?.[target];
    if (count !== undefined) required[target] = approvals(target, count);
  }
  // Four eyes cannot be configured away while the gate is on: PUBLISHED with the approvals gate needs at least one.
  if (gates[LifecycleStage.PUBLISHED].includes(Gate.APPROVALS) && required[LifecycleStage.PUBLISHED] < 1) {
    throw new ValidationError('requiredApprovals.PUBLISHED', 'must be at least 1 while PUBLISHED has the approvals gate');
  }
  const requireSignature = overrides?.requireSignature ?? DEFAULT_POLICY.requireSignature;
  if (requireSignature) {
    for (const target of PROMOTION_TARGETS) if (!gates[target].includes(Gate.SIGNATURE_VALID)) gates[target] = [...gates[target], Gate.SIGNATURE_VALID];
  }
  return {
    gates,
    requiredApprovals: required,
    allowSkippedScan: overrides?.allowSkippedScan ?? DEFAULT_POLICY.allowSkippedScan,
    evidenceProvenances: overrides?.evidenceProvenances ? provenances(overrides.evidenceProvenances) : DEFAULT_POLICY.evidenceProvenances,
    upstreamChanges: overrides?.upstreamChanges === undefined ? DEFAULT_POLICY.upstreamChanges : upstreamChanges(overrides.upstreamChanges),
    requireSignature,
  };
}

function upstreamChanges(value: string): UpstreamChanges {
  const known: readonly string[] = Object.values(UpstreamChanges);
  if (!known.includes(value)) throw new ValidationError('upstreamChanges', `must be one of ${known.join(', ')}`);
  return value as UpstreamChanges;
}

/** Approvals a target needs under the policy: none when its gates do not include the approvals gate. */
export function approvalsNeeded(policy: PromotionPolicy, target: PromotionTarget): number {
  return policy.gates[target].includes(Gate.APPROVALS) ? policy.requiredApprovals[target] : 0;
}

/** What one request of this target is held to, frozen when it opens. */
export function freezePolicy(policy: PromotionPolicy, target: PromotionTarget): TargetPolicy {
  return {
    target,
    gates: [...policy.gates[target]],
    requiredApprovals: approvalsNeeded(policy, target),
    allowSkippedScan: policy.allowSkippedScan,
    evidenceProvenances: [...policy.evidenceProvenances],
  };
}

/** Later overrides win per target and per field; what they leave out stays as it was. */
export function mergeOverrides(base: PolicyOverrides, next: PolicyOverrides): PolicyOverrides {
  const allowSkippedScan = next.allowSkippedScan ?? base.allowSkippedScan;
  const evidenceProvenances = next.evidenceProvenances ?? base.evidenceProvenances;
  const upstream = next.upstreamChanges ?? base.upstreamChanges;
  const requireSignature = next.requireSignature ?? base.requireSignature;
  return {
    gates: { ...base.gates, ...next.gates },
    requiredApprovals: { ...base.requiredApprovals, ...next.requiredApprovals },
    ...(allowSkippedScan !== undefined ? { allowSkippedScan } : {}),
    ...(evidenceProvenances !== undefined ? { evidenceProvenances: [...evidenceProvenances] } : {}),
    ...(upstream !== undefined ? { upstreamChanges: upstream } : {}),
    ...(requireSignature !== undefined ? { requireSignature } : {}),
  };
}
