import { Role } from '../../src/domain/auth/roles';
import { errorCode, recordEvidence, registerModel, transition } from '../support/catalog-fixtures';
import { importVerified } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

/** A GraphQL call as a named person holding a global role (tokens carry the subject the four-eyes rule reads). */
async function as(role: Role, subject: string, query: string, variables: Record<string, unknown> = {}) {
  return t.gql(query, variables, { token: await t.token(role, subject) });
}

const REQUEST = `mutation($v: ID!, $to: LifecycleStage!, $u: LicenseUsageInput) {
  requestPromotion(versionId: $v, target: $to, justification: "ready for teams", usage: $u) { id state target requiredApprovals project
    evidence { gates { gate passed detail } scanStatus fileCount evaluations licenseOutcome } } }`;
const APPROVE = `mutation($r: ID!) { approvePromotion(requestId: $r, comment: "looks right") {
  id state decidedBy approvals { approver comment } version { status } decisionEvidence { approvers gates { gate passed } } } }`;

/**
 * A verified version of a model registered in `project`; its license is set after the import (the fixture's
 * files declare Apache-2.0, and an import refuses a declared license the files contradict).
 */
async function verifiedIn(project: string, license: string | null) {
  const name = uniqueName('gov');
  await registerModel(t, { name, project });
  const ids = await importVerified(t, { name });
  const set = await t.gql(`mutation($id: ID!, $l: String) { updateModel(id: $id, input: { license: $l }) { id } }`, { id: ids.modelId, l: license });
  expect(set.errors).toBeUndefined();
  return ids;
}

async function evaluated(project: string, license: string | null) {
  const ids = await verifiedIn(project, license);
  await recordEvidence(t, ids.versionId);
  const res = await as(Role.EDITOR, 'erin', REQUEST, { v: ids.versionId, to: 'EVALUATED' });
  expect(res.data?.requestPromotion).toMatchObject({ state: 'APPROVED', requiredApprovals: 0 });
  return ids;
}

async function configure(project: string, input: Record<string, unknown>) {
  const res = await as(Role.ADMIN, 'root', `mutation($i: ConfigureProjectInput!) { configureProject(input: $i) { id public policy { allowSkippedScan targets { target gates requiredApprovals } } } }`, { i: { id: project, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.configureProject;
}

describe('gates', () => {
  test('EVALUATED: refused without evidence, naming the gate; applied at once with it, with the evidence snapshot', async () => {
    const { versionId } = await verifiedIn(uniqueName('p'), 'MIT');
    const early = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(early.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'evaluation-evidence', target: 'EVALUATED' } });
    expect(early.errors![0].message).toMatch(/EVALUATED gate "evaluation-evidence" failed: Version .* has no evaluation or benchmark/);
    expect(await t.dataSource.query('SELECT id FROM promotion_requests WHERE version_id = $1', [versionId])).toEqual([]);
    await recordEvidence(t, versionId);
    const ok = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(ok.data!.requestPromotion).toMatchObject({ state: 'APPROVED', target: 'EVALUATED', evidence: { scanStatus: 'PASSED', fileCount: 3, evaluations: 1 } });
    expect(ok.data!.requestPromotion.evidence.gates.map((g: { gate: string; passed: boolean }) => [g.gate, g.passed])).toEqual([
      ['CHECKSUMS_VERIFIED', true],
      ['SCAN_PASSED', true],
      ['EVALUATION_EVIDENCE', true],
    ]);
  });

  test('a FAILED rescan after verification stops promotion; a SKIPPED one passes only where the project allows it', async () => {
    const project = uniqueName('p');
    const { modelId, versionId } = await verifiedIn(project, 'MIT');
    await recordEvidence(t, versionId);
    const rescan = (status: string) =>
      t.dataSource.query(
        `INSERT INTO scan_results (model_id, version_id, scanner, status, files_scanned, bytes_scanned, started_at, completed_at) VALUES ($1, $2, 'rescan', $3, 3, 10, now() + interval '1 second', now() + interval '2 seconds')`,
        [modelId, versionId, status],
      );
    await rescan('FAILED');
    const failed = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(failed.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'scan-passed' } });
    expect(failed.errors![0].message).toMatch(/latest scan is FAILED/);
    await t.dataSource.query(`UPDATE scan_results SET status = 'SKIPPED' WHERE version_id = $1 AND scanner = 'rescan'`, [versionId]);
    const skipped = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(skipped.errors![0].message).toMatch(/SKIPPED .* needs a PASSED scan/);
    expect((await configure(project, { allowSkippedScan: true })).policy.allowSkippedScan).toBe(true);
    expect((await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'EVALUATED' })).data!.requestPromotion.state).toBe('APPROVED');
  });

  test('PUBLISHED: no license is refused at request time with the license gate', async () => {
    const { versionId } = await evaluated(uniqueName('p'), null);
    const res = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' });
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'license-allowed' } });
    expect(res.errors![0].message).toMatch(/declares no license/);
  });

  test('moves the lifecycle forbids and system moves stay CONFLICT; ARCHIVED is not a promotion', async () => {
    const model = await registerModel(t, { license: 'MIT' });
    const draft = await t.gql(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "0.1.0" }) { id } }`, { m: model.id });
    const v = draft.data!.createVersion.id;
    expect(errorCode(await as(Role.EDITOR, 'erin', REQUEST, { v, to: 'PUBLISHED' }))).toBe('CONFLICT');
    expect(errorCode(await as(Role.EDITOR, 'erin', REQUEST, { v, to: 'VERIFIED' }))).toBe('CONFLICT');
    expect(errorCode(await as(Role.EDITOR, 'erin', REQUEST, { v, to: 'ARCHIVED' }))).toBe('CONFLICT');
  });
});

describe('four eyes', () => {
  test('the requester cannot approve; another approver can, and that applies the promotion', async () => {
    const { versionId } = await evaluated(uniqueName('p'), 'Apache-2.0');
    const asked = await as(Role.APPROVER, 'alice', REQUEST, { v: versionId, to: 'PUBLISHED' });
    expect(asked.data!.requestPromotion).toMatchObject({ state: 'OPEN', requiredApprovals: 1 });
    const id = asked.data!.requestPromotion.id;
    const self = await as(Role.APPROVER, 'alice', APPROVE, { r: id });
    expect(self.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'approvals' } });
    expect(self.errors![0].message).toMatch(/four eyes/);
    expect(errorCode(await as(Role.EDITOR, 'erin', APPROVE, { r: id }))).toBe('FORBIDDEN');
    const second = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' });
    expect(second.errors![0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    const ok = await as(Role.APPROVER, 'bob', APPROVE, { r: id });
    expect(ok.data!.approvePromotion).toMatchObject({
      state: 'APPROVED', decidedBy: 'bob', approvals: [{ approver: 'bob', comment: 'looks right' }], version: { status: 'PUBLISHED' }, decisionEvidence: { approvers: ['bob'] },
    });
    expect(errorCode(await as(Role.APPROVER, 'carol', APPROVE, { r: id }))).toBe('CONFLICT');
  });

  test('two approvals when the project says so: the first leaves the request open', async () => {
    const project = uniqueName('p');
    const policy = await configure(project, { targets: [{ target: 'PUBLISHED', requiredApprovals: 2 }] });
    expect(policy.policy.targets.find((x: { target: string }) => x.target === 'PUBLISHED').requiredApprovals).toBe(2);
    const { versionId } = await evaluated(project, 'MIT');
    const id = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion.id;
    const first = await as(Role.APPROVER, 'bob', APPROVE, { r: id });
    expect(first.data!.approvePromotion).toMatchObject({ state: 'OPEN', version: { status: 'EVALUATED' } });
    expect(errorCode(await as(Role.APPROVER, 'bob', APPROVE, { r: id }))).toBe('CONFLICT');
    const second = await as(Role.APPROVER, 'carol', APPROVE, { r: id });
    expect(second.data!.approvePromotion).toMatchObject({ state: 'APPROVED', version: { status: 'PUBLISHED' } });
    expect(second.data!.approvePromotion.decisionEvidence.approvers).toEqual(['bob', 'carol']);
    const bad = await as(Role.ADMIN, 'root', `mutation { configureProject(input: { id: "${project}", targets: [{ target: PUBLISHED, requiredApprovals: 0 }] }) { id } }`);
    expect(bad.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  test('rejected and withdrawn requests end; only the requester (or an admin) withdraws', async () => {
    const { versionId } = await evaluated(uniqueName('p'), 'MIT');
    const id = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion.id;
    const reject = `mutation($r: ID!) { rejectPromotion(requestId: $r, reason: "benchmarks too thin") { state decidedBy decisionReason } }`;
    expect((await as(Role.APPROVER, 'bob', reject, { r: id })).data!.rejectPromotion).toEqual({ state: 'REJECTED', decidedBy: 'bob', decisionReason: 'benchmarks too thin' });
    expect(errorCode(await as(Role.APPROVER, 'carol', APPROVE, { r: id }))).toBe('CONFLICT');
    const again = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion.id;
    const withdraw = `mutation($r: ID!) { withdrawPromotion(requestId: $r, reason: "later") { state } }`;
    expect(errorCode(await as(Role.EDITOR, 'frank', withdraw, { r: again }))).toBe('FORBIDDEN');
    expect((await as(Role.EDITOR, 'erin', withdraw, { r: again })).data!.withdrawPromotion.state).toBe('WITHDRAWN');
    const queue = await as(Role.VIEWER, 'vic', `query($p: String) { promotionRequests(state: WITHDRAWN, project: $p, first: 5) { edges { node { id state } } } }`, { p: null });
    expect(queue.data!.promotionRequests.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(again);
  });
});

describe('license checks and acknowledgments', () => {
  const CHECK = `query($m: ID!, $v: ID!, $u: LicenseUsageInput) { checkLicense(modelId: $m, versionId: $v, usage: $u) { outcome licenseId reasons { code severity } textHash acknowledged } }`;
  const ACK = `mutation($v: ID!, $u: LicenseUsageInput) { acknowledgeLicense(versionId: $v, usage: $u) { licenseId textHash acknowledgedBy usage { monthlyActiveUsers } } }`;

  test('a warning needs an acknowledgment of the current text; a changed text needs a new one', async () => {
    const { modelId, versionId } = await evaluated(uniqueName('p'), 'Llama-3.1-Community');
    const usage = { monthlyActiveUsers: 5_000_000 };
    const check = await as(Role.VIEWER, 'vic', CHECK, { m: modelId, v: versionId, u: usage });
    expect(check.data!.checkLicense).toMatchObject({ outcome: 'WARN', licenseId: 'Llama-3.1-Community', acknowledged: false, textHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const refused = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED', u: usage });
    expect(refused.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'license-acknowledged' } });
    const ack = await as(Role.EDITOR, 'erin', ACK, { v: versionId, u: usage });
    expect(ack.data!.acknowledgeLicense).toEqual({ licenseId: 'Llama-3.1-Community', textHash: check.data!.checkLicense.textHash, acknowledgedBy: 'erin', usage: { monthlyActiveUsers: 5000000 } });
    expect((await as(Role.VIEWER, 'vic', CHECK, { m: modelId, v: versionId, u: usage })).data!.checkLicense.acknowledged).toBe(true);
    // Another usage is not covered by it.
    expect((await as(Role.VIEWER, 'vic', CHECK, { m: modelId, v: versionId, u: { monthlyActiveUsers: 6_000_000 } })).data!.checkLicense.acknowledged).toBe(false);
    // The model's restrictions change: the text (and hash) changes, the old acknowledgment no longer counts.
    await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { licenseRestrictions: { notes: "no use in weapons research" } }) { id } }`, { id: modelId });
    const changed = (await as(Role.VIEWER, 'vic', CHECK, { m: modelId, v: versionId, u: usage })).data!.checkLicense;
    expect(changed.textHash).not.toBe(check.data!.checkLicense.textHash);
    expect(changed.acknowledged).toBe(false);
    expect(errorCode(await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED', u: usage }))).toBe('POLICY_VIOLATION');
    await as(Role.EDITOR, 'erin', ACK, { v: versionId, u: usage });
    const id = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED', u: usage })).data!.requestPromotion.id;
    expect((await as(Role.APPROVER, 'bob', APPROVE, { r: id })).data!.approvePromotion.version.status).toBe('PUBLISHED');
    const rows = await t.dataSource.query('SELECT text_hash, acknowledged_by FROM license_acknowledgments WHERE version_id = $1 ORDER BY acknowledged_at', [versionId]);
    expect(rows.map((r: { text_hash: string }) => r.text_hash)).toEqual([check.data!.checkLicense.textHash, changed.textHash]);
  });

  test('a blocked usage cannot be published nor acknowledged, and the block is audited; Version.licenseCheck joins the same check', async () => {
    const { modelId, versionId } = await evaluated(uniqueName('p'), 'Llama-3.1-Community');
    const huge = { monthlyActiveUsers: '800000000' };
    const field = await as(Role.VIEWER, 'vic', `query($v: ID!, $u: LicenseUsageInput) { version(id: $v) { licenseCheck(usage: $u) { outcome reasons { code severity } } } }`, { v: versionId, u: huge });
    expect(field.data!.version.licenseCheck.outcome).toBe('BLOCKED');
    expect(field.data!.version.licenseCheck.reasons).toContainEqual({ code: 'mau-limit', severity: 'BLOCK' });
    expect(errorCode(await as(Role.EDITOR, 'erin', ACK, { v: versionId, u: huge }))).toBe('CONFLICT');
    const res = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED', u: huge });
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'license-allowed' } });
    const audited = await t.dataSource.query(`SELECT actor, details FROM audit_log WHERE model_id = $1 AND action = 'license.blocked'`, [modelId]);
    expect(audited).toEqual([{ actor: 'vic', details: expect.objectContaining({ licenseId: 'Llama-3.1-Community', reasons: expect.arrayContaining(['mau-limit']) }) }]);
  });
});

describe('archiving', () => {
  test('an archived version keeps its history, is never promoted again nor made the default; open requests end', async () => {
    const { modelId, versionId } = await evaluated(uniqueName('p'), 'MIT');
    const open = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion.id;
    expect(errorCode(await as(Role.EDITOR, 'erin', `mutation($v: ID!) { archiveVersion(versionId: $v, reason: "superseded") { status } }`, { v: versionId }))).toBe('FORBIDDEN');
    const archived = await as(Role.APPROVER, 'bob', `mutation($v: ID!) { archiveVersion(versionId: $v, reason: "superseded") { status transitions { toStatus } promotionRequests { id state decisionReason } } }`, { v: versionId });
    expect(archived.data!.archiveVersion).toMatchObject({ status: 'ARCHIVED', promotionRequests: expect.arrayContaining([{ id: open, state: 'WITHDRAWN', decisionReason: 'the version was archived' }]) });
    expect(archived.data!.archiveVersion.transitions.at(-1)).toEqual({ toStatus: 'ARCHIVED' });
    expect(errorCode(await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' }))).toBe('CONFLICT');
    expect(errorCode(await transition(t, versionId, 'EVALUATED'))).toBe('CONFLICT');
    const setDefault = await t.gql(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { id } }`, { m: modelId, v: versionId });
    expect(setDefault.errors).toBeDefined();
  });
});
