import { grantedProjects, hasGlobalRole, hasRole, hasRoleIn, type Principal, Role } from '../../../src/domain/auth/roles';
import { canReadProject, holdsRole, requireCaller, requireRole, systemCaller, userCaller } from '../../../src/domain/auth/caller';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../src/domain/common/domain-error';
import { readableCondition, readableParam } from '../../../src/domain/governance/access';
import { evaluateGates, type PromotionEvidence, requireGates } from '../../../src/domain/governance/gates';
import { checkLicense, DEFAULT_USAGE, type LicenseFacts, LicenseOutcome, licenseText, type LicenseUsage } from '../../../src/domain/governance/license-check';
import { Provenance } from '../../../src/domain/catalog/catalog-enums';
import { DEFAULT_POLICY, freezePolicy, Gate, mergeOverrides, type PromotionPolicy, resolvePolicy } from '../../../src/domain/governance/promotion-policy';
import { LifecycleStage } from '../../../src/domain/lifecycle/lifecycle-stage';
import { ScanStatus } from '../../../src/domain/scanning/scan-enums';

const S = LifecycleStage;

/** The seeded catalog's rows (migrations 1764000000001 and …020), as the license check reads them. */
function license(id: string, category: string, commercial: boolean, derivatives: boolean, attribution: boolean, mau: bigint | null, extra: Partial<LicenseFacts> = {}): LicenseFacts {
  return { id, name: id, url: null, category, commercialUse: commercial, derivatives, attributionRequired: attribution, monthlyActiveUsersLimit: mau, apiOnly: false, researchOnly: false, notes: null, ...extra };
}
const APACHE = license('Apache-2.0', 'PERMISSIVE', true, true, true, null);
const CC0 = license('CC0-1.0', 'PUBLIC_DOMAIN', true, true, false, null);
const NC = license('CC-BY-NC-4.0', 'NON_COMMERCIAL', false, true, true, null);
const GPL = license('GPL-3.0-only', 'COPYLEFT', true, true, true, null);
const LLAMA = license('Llama-3.1-Community', 'COMMUNITY', true, true, true, 700_000_000n, { notes: 'Built with Llama' });
const MISTRAL = license('Mistral-Research', 'RESEARCH', false, true, true, null, { researchOnly: true });
const OPENAI = license('OpenAI-TOS', 'PROPRIETARY', true, false, false, null, { apiOnly: true });
const PROPRIETARY = license('Proprietary', 'PROPRIETARY', false, false, false, null);
const use = (over: Partial<LicenseUsage> = {}): LicenseUsage => ({ ...DEFAULT_USAGE, ...over });
const outcome = (facts: LicenseFacts | null, usage: LicenseUsage) => checkLicense(facts, null, usage);
const codes = (facts: LicenseFacts | null, usage: LicenseUsage) => outcome(facts, usage).reasons.map((r) => `${r.severity}:${r.code}`);

describe('license check per seeded license type and usage', () => {
  test.each([
    ['permissive, commercial', APACHE, use(), LicenseOutcome.ALLOWED],
    ['public domain, distributed', CC0, use({ distribution: true, derivatives: true }), LicenseOutcome.ALLOWED],
    ['non-commercial, commercial use', NC, use(), LicenseOutcome.BLOCKED],
    ['non-commercial, research use', NC, use({ commercial: false }), LicenseOutcome.ALLOWED],
    ['copyleft, distributed', GPL, use({ distribution: true }), LicenseOutcome.WARN],
    ['copyleft, internal', GPL, use(), LicenseOutcome.ALLOWED],
    ['community, under the MAU limit', LLAMA, use({ monthlyActiveUsers: 699_999_999n }), LicenseOutcome.WARN],
    ['community, over the MAU limit', LLAMA, use({ monthlyActiveUsers: 700_000_001n }), LicenseOutcome.BLOCKED],
    ['research-only, commercial', MISTRAL, use(), LicenseOutcome.BLOCKED],
    ['research-only, research', MISTRAL, use({ commercial: false }), LicenseOutcome.WARN],
    ['API-only terms, self-hosted', OPENAI, use(), LicenseOutcome.BLOCKED],
    ['API-only terms, through the API', OPENAI, use({ apiOnly: true }), LicenseOutcome.ALLOWED],
    ['API-only terms, fine-tuned', OPENAI, use({ apiOnly: true, derivatives: true }), LicenseOutcome.BLOCKED],
    ['proprietary, non-commercial', PROPRIETARY, use({ commercial: false }), LicenseOutcome.WARN],
    ['no license at all', null, use(), LicenseOutcome.BLOCKED],
  ])('%s → %s', (_label, facts, usage, expected) => {
    expect(outcome(facts, usage).outcome).toBe(expected);
  });

  test('reasons name each term that applies, with its severity', () => {
    expect(codes(LLAMA, use({ monthlyActiveUsers: 800_000_000n, derivatives: true }))).toEqual(['BLOCK:mau-limit', 'WARN:use-restrictions', 'INFO:attribution']);
    expect(codes(MISTRAL, use())).toEqual(['BLOCK:research-only', 'INFO:attribution']);
    expect(codes(OPENAI, use({ distribution: true }))).toEqual(['BLOCK:api-only', 'BLOCK:no-distribution']);
    expect(outcome(LLAMA, use({ monthlyActiveUsers: 800_000_000n })).reasons[0].message).toMatch(/700000000 monthly active users \(declared 800000000\)/);
  });

  test("the model's own restrictions override the license's flags", () => {
    const restricted = { commercialUse: false, derivatives: null, attributionRequired: null, monthlyActiveUsersLimit: 1000n, notes: null };
    expect(checkLicense(APACHE, restricted, use()).outcome).toBe(LicenseOutcome.BLOCKED);
    expect(checkLicense(APACHE, restricted, use({ commercial: false, monthlyActiveUsers: 2000n })).reasons.map((r) => r.code)).toContain('mau-limit');
  });

  test('the acknowledged text changes with the terms or the restrictions, and only then', () => {
    const base = licenseText(LLAMA, null);
    expect(licenseText({ ...LLAMA }, null)).toBe(base);
    expect(licenseText({ ...LLAMA, notes: 'changed' }, null)).not.toBe(base);
    expect(licenseText(LLAMA, { commercialUse: true, derivatives: true, attributionRequired: true, monthlyActiveUsersLimit: null, notes: null })).not.toBe(base);
  });

  test('a usage with an absurd number of users is refused', () => {
    expect(() => checkLicense(APACHE, null, use({ monthlyActiveUsers: -1n }))).toThrow(/monthlyActiveUsers/);
  });
});

function evidence(over: Partial<PromotionEvidence> = {}): PromotionEvidence {
  return {
    version: '1.0.0', filesComplete: true, fileCount: 3, scan: { id: 's', status: ScanStatus.PASSED }, evaluations: 1, benchmarks: 0, selfRecorded: 0,
    usage: DEFAULT_USAGE, license: { outcome: LicenseOutcome.ALLOWED, licenseId: 'MIT', reasons: [] }, licenseAcknowledged: false, approvers: [], ...over,
  };
}
const failed = (target: typeof S.EVALUATED | typeof S.PUBLISHED, e: PromotionEvidence, policy: PromotionPolicy = DEFAULT_POLICY) =>
  evaluateGates(freezePolicy(policy, target), e).filter((g) => !g.passed).map((g) => g.gate);

describe('gates from a policy', () => {
  test('the default policy: every later target re-checks the earlier evidence', () => {
    expect(DEFAULT_POLICY.gates[S.EVALUATED]).toEqual([Gate.CHECKSUMS_VERIFIED, Gate.SCAN_PASSED, Gate.EVALUATION_EVIDENCE]);
    expect(failed(S.EVALUATED, evidence())).toEqual([]);
    expect(failed(S.PUBLISHED, evidence())).toEqual([Gate.APPROVALS]);
    expect(failed(S.PUBLISHED, evidence({ approvers: ['bob'] }))).toEqual([]);
  });

  test('each gate fails on its own evidence', () => {
    expect(failed(S.EVALUATED, evidence({ filesComplete: false }))).toEqual([Gate.CHECKSUMS_VERIFIED]);
    expect(failed(S.EVALUATED, evidence({ fileCount: 0 }))).toEqual([Gate.CHECKSUMS_VERIFIED]);
    expect(failed(S.EVALUATED, evidence({ scan: null }))).toEqual([Gate.SCAN_PASSED]);
    expect(failed(S.EVALUATED, evidence({ scan: { id: 's', status: ScanStatus.FAILED } }))).toEqual([Gate.SCAN_PASSED]);
    expect(failed(S.EVALUATED, evidence({ evaluations: 0 }))).toEqual([Gate.EVALUATION_EVIDENCE]);
    expect(failed(S.EVALUATED, evidence({ evaluations: 0, benchmarks: 2 }))).toEqual([]);
    const blocked = { outcome: LicenseOutcome.BLOCKED, licenseId: null, reasons: [{ code: 'no-license', severity: 'BLOCK' as never, message: 'none' }] };
    expect(failed(S.PUBLISHED, evidence({ approvers: ['b'], license: blocked }))).toEqual([Gate.LICENSE_ALLOWED]);
    const warned = { outcome: LicenseOutcome.WARN, licenseId: 'x', reasons: [] };
    expect(failed(S.PUBLISHED, evidence({ approvers: ['b'], license: warned }))).toEqual([Gate.LICENSE_ACKNOWLEDGED]);
    expect(failed(S.PUBLISHED, evidence({ approvers: ['b'], license: warned, licenseAcknowledged: true }))).toEqual([]);
  });

  test('requireSignature puts the signature gate on every target: a version verified unsigned before it is not promoted', () => {
    const signed = resolvePolicy({ requireSignature: true });
    for (const target of [S.VERIFIED, S.EVALUATED, S.PUBLISHED] as const) expect(signed.gates[target].at(-1)).toBe(Gate.SIGNATURE_VALID);
    // Even where the project lists its own gates for a target, and only once where it lists the gate itself.
    expect(resolvePolicy({ requireSignature: true, gates: { [S.EVALUATED]: ['evaluation-evidence', 'signature-valid'] } }).gates[S.EVALUATED]).toEqual([Gate.EVALUATION_EVIDENCE, Gate.SIGNATURE_VALID]);
    expect(failed(S.EVALUATED, evidence(), signed)).toEqual([Gate.SIGNATURE_VALID]);
    expect(failed(S.EVALUATED, evidence({ signature: null }), signed)).toEqual([Gate.SIGNATURE_VALID]);
    expect(failed(S.EVALUATED, evidence({ signature: { valid: false, problems: ['weights.bin differs'] } }), signed)).toEqual([Gate.SIGNATURE_VALID]);
    expect(failed(S.EVALUATED, evidence({ signature: { valid: true, problems: [] } }), signed)).toEqual([]);
    const [result] = evaluateGates(freezePolicy(signed, S.EVALUATED), evidence({ signature: { valid: false, problems: ['weights.bin differs'] } })).filter((g) => !g.passed);
    expect(result.detail).toMatch(/does not verify: weights\.bin differs\. To pass: .*trustedSigningKeys/);
    const [unsigned] = evaluateGates(freezePolicy(signed, S.EVALUATED), evidence()).filter((g) => !g.passed);
    expect(unsigned.detail).toMatch(/carries no upstream signature \(model\.sig\)\. To pass: import the version from a source whose files carry a model\.sig/);
    // Off again: the gate goes with it (unless listed), and the default policy never had it.
    expect(resolvePolicy({ requireSignature: false }).gates[S.PUBLISHED]).not.toContain(Gate.SIGNATURE_VALID);
  });

  test('a SKIPPED scan passes only where the policy allows it', () => {
    const skipped = evidence({ scan: { id: 's', status: ScanStatus.SKIPPED } });
    expect(failed(S.EVALUATED, skipped)).toEqual([Gate.SCAN_PASSED]);
    expect(failed(S.EVALUATED, skipped, resolvePolicy({ allowSkippedScan: true }))).toEqual([]);
  });

  test('a refusal names the gate and target; pending gates are left for later', () => {
    const published = freezePolicy(DEFAULT_POLICY, S.PUBLISHED);
    const results = evaluateGates(published, evidence({ evaluations: 0 }));
    expect(() => requireGates(S.PUBLISHED, results, [Gate.APPROVALS])).toThrow(/PUBLISHED gate "evaluation-evidence" failed: Version 1.0.0 has no evaluation or benchmark/);
    const onlyApprovals = evaluateGates(published, evidence());
    expect(() => requireGates(S.PUBLISHED, onlyApprovals, [Gate.APPROVALS])).not.toThrow();
    try {
      requireGates(S.PUBLISHED, onlyApprovals);
    } catch (error) {
      expect(error).toMatchObject({ code: 'POLICY_VIOLATION', details: { gate: 'approvals', target: 'PUBLISHED' } });
    }
  });

  test('project overrides: approvals, gates; what is not a policy is refused', () => {
    const two = resolvePolicy({ requiredApprovals: { [S.PUBLISHED]: 2 } });
    expect(failed(S.PUBLISHED, evidence({ approvers: ['b'] }), two)).toEqual([Gate.APPROVALS]);
    expect(failed(S.PUBLISHED, evidence({ approvers: ['b', 'c'] }), two)).toEqual([]);
    const noScan = resolvePolicy({ gates: { [S.EVALUATED]: ['evaluation-evidence'] } });
    expect(failed(S.EVALUATED, evidence({ scan: null }), noScan)).toEqual([]);
    expect(() => resolvePolicy({ gates: { [S.EVALUATED]: ['vibes'] } })).toThrow(/unknown gate\(s\) vibes/);
    expect(() => resolvePolicy({ requiredApprovals: { [S.PUBLISHED]: 0 } })).toThrow(/at least 1/);
    expect(() => resolvePolicy({ requiredApprovals: { [S.PUBLISHED]: 11 } })).toThrow(/0 to 10/);
    expect(mergeOverrides({ requiredApprovals: { [S.PUBLISHED]: 2 }, allowSkippedScan: true }, { gates: { [S.EVALUATED]: [] } })).toEqual({
      gates: { [S.EVALUATED]: [] }, requiredApprovals: { [S.PUBLISHED]: 2 }, allowSkippedScan: true,
    });
  });
});

describe('a request freezes its policy', () => {
  test('the frozen policy names the gates, approvals and accepted provenances of one target', () => {
    expect(freezePolicy(DEFAULT_POLICY, S.PUBLISHED)).toEqual({
      target: S.PUBLISHED,
      gates: [Gate.CHECKSUMS_VERIFIED, Gate.SCAN_PASSED, Gate.EVALUATION_EVIDENCE, Gate.APPROVALS, Gate.LICENSE_ALLOWED, Gate.LICENSE_ACKNOWLEDGED],
      requiredApprovals: 1,
      allowSkippedScan: false,
      evidenceProvenances: [Provenance.MEASURED],
    });
    // Without the approvals gate nobody's approval is needed, whatever the count says.
    expect(freezePolicy(resolvePolicy({ gates: { [S.PUBLISHED]: [] } }), S.PUBLISHED)).toMatchObject({ gates: [], requiredApprovals: 0 });
  });

  test('the frozen policy is what the gates check, not the project policy of the moment', () => {
    const frozen = freezePolicy(resolvePolicy({ requiredApprovals: { [S.PUBLISHED]: 2 } }), S.PUBLISHED);
    expect(resolvePolicy({ gates: { [S.PUBLISHED]: [] } }).gates[S.PUBLISHED]).toEqual([]);
    expect(evaluateGates(frozen, evidence({ approvers: ['b'] })).filter((g) => !g.passed).map((g) => g.gate)).toEqual([Gate.APPROVALS]);
  });

  test('accepted provenances: MEASURED by default, set per project, unknown or none refused', () => {
    expect(DEFAULT_POLICY.evidenceProvenances).toEqual([Provenance.MEASURED]);
    expect(resolvePolicy({ evidenceProvenances: ['REPORTED', 'RECORDED', 'MEASURED', 'RECORDED'] }).evidenceProvenances).toEqual([Provenance.MEASURED, Provenance.RECORDED, Provenance.REPORTED]);
    expect(() => resolvePolicy({ evidenceProvenances: ['GUESSED'] })).toThrow(/unknown provenance\(s\) GUESSED/);
    expect(() => resolvePolicy({ evidenceProvenances: [] })).toThrow(/at least one provenance/);
    expect(mergeOverrides({ evidenceProvenances: ['RECORDED'] }, { allowSkippedScan: true })).toMatchObject({ evidenceProvenances: ['RECORDED'], allowSkippedScan: true });
    expect(mergeOverrides({ evidenceProvenances: ['RECORDED'] }, { evidenceProvenances: ['MEASURED'] }).evidenceProvenances).toEqual(['MEASURED']);
  });

  test("the requester's own records are no evidence, and the refusal says so", () => {
    const policy = freezePolicy(resolvePolicy({ evidenceProvenances: ['MEASURED', 'RECORDED'] }), S.EVALUATED);
    const [gate] = evaluateGates(policy, evidence({ evaluations: 0, selfRecorded: 2 })).filter((g) => !g.passed);
    expect(gate.gate).toBe(Gate.EVALUATION_EVIDENCE);
    expect(gate.detail).toMatch(/counts as evidence \(MEASURED or RECORDED\); 2 recorded by the requester do not count for their own request; EVALUATED needs evidence/);
  });
});

describe('project-scoped roles', () => {
  const alice: Principal = { subject: 'alice', roles: [], projects: new Map([['vision', [Role.EDITOR]], ['nlp', [Role.VIEWER]]]) };
  const globalViewer: Principal = { subject: 'v', roles: [Role.VIEWER], projects: new Map([['vision', [Role.APPROVER]]]) };

  test('a role held in a project is the higher of the global and the project grant', () => {
    expect(hasRoleIn(alice, 'vision', Role.EDITOR)).toBe(true);
    expect(hasRoleIn(alice, 'nlp', Role.EDITOR)).toBe(false);
    expect(hasRoleIn(alice, 'other', Role.VIEWER)).toBe(false);
    expect(hasRole(alice, Role.EDITOR)).toBe(true);
    expect(hasGlobalRole(alice, Role.VIEWER)).toBe(false);
    expect(hasRoleIn(globalViewer, 'other', Role.VIEWER)).toBe(true);
    expect(hasRoleIn(globalViewer, 'vision', Role.APPROVER)).toBe(true);
    expect(grantedProjects(alice, Role.VIEWER).sort()).toEqual(['nlp', 'vision']);
  });

  test('callers: a global role reads everything, else the granted projects plus public ones; roles hold per project', () => {
    expect(userCaller(globalViewer).readsAll).toBe(true);
    const caller = userCaller(alice, 'req-1');
    expect(caller).toMatchObject({ kind: 'user', subject: 'alice', requestId: 'req-1', readsAll: false, readable: ['vision', 'nlp'] });
    expect(canReadProject(caller, 'vision', false)).toBe(true);
    expect(canReadProject(caller, 'secret', false)).toBe(false);
    expect(canReadProject(caller, 'hub', true)).toBe(true);
    expect(holdsRole(caller, 'vision', Role.EDITOR)).toBe(true);
    expect(holdsRole(caller, 'nlp', Role.EDITOR)).toBe(false);
    expect(readableCondition(userCaller(globalViewer), 'm', ':p')).toBeNull();
    expect(readableCondition(caller, 'm', ':p')).toBe("(COALESCE(m.project, 'default') = ANY(ARRAY(SELECT gp.id FROM projects gp WHERE gp.public) || CAST(:p AS text[])))");
    expect(readableParam(caller)).toEqual(['vision', 'nlp']);
  });

  test('a write outside what the caller reads is NOT_FOUND, readable without the role FORBIDDEN', () => {
    const caller = userCaller(alice);
    const target = (project: string, isPublic = false) => ({ entity: 'Model', key: 'm-1', project, isPublic });
    expect(() => requireRole(caller, target('vision'), Role.EDITOR, 'Editing')).not.toThrow();
    expect(() => requireRole(caller, target('secret'), Role.EDITOR, 'Editing')).toThrow(NotFoundError);
    expect(() => requireRole(caller, target('secret'), Role.EDITOR, 'Editing')).toThrow('Model "m-1" was not found');
    expect(() => requireRole(caller, target('nlp'), Role.EDITOR, 'Editing')).toThrow(ForbiddenError);
    expect(() => requireRole(caller, target('hub', true), Role.EDITOR, 'Editing')).toThrow(ForbiddenError);
    expect(() => requireRole(userCaller(globalViewer), target('other'), Role.APPROVER, 'Approving')).toThrow(ForbiddenError);
    expect(() => requireRole(userCaller(globalViewer), target('vision'), Role.APPROVER, 'Approving')).not.toThrow();
  });

  test('the system caller reads and writes everything and says why', () => {
    const system = systemCaller('reconciler');
    expect(system).toMatchObject({ kind: 'system', subject: 'system:reconciler', reason: 'reconciler', readsAll: true, principal: null });
    expect(holdsRole(system, 'anything', Role.ADMIN)).toBe(true);
    expect(() => requireCaller(null, 'token expired')).toThrow(UnauthenticatedError);
  });
});
