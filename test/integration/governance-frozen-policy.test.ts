import { generateKeyPairSync } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { keyFingerprint } from '../../src/domain/signing/signature-trust';
import { issueToken } from '../../src/services/auth-tokens';
import { errorCode, verifiedByRows } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * A request is held to the policy of the project it was opened in, frozen then: moving the model withdraws it,
 * lowering or raising the project's gates reaches only later requests, and evidence is counted by provenance
 * (MEASURED only by default; never what the requester typed in for their own request).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

/** A token of `subject` holding `role` in each of `projects` only. */
async function grantToken(subject: string, grants: [string, Role][]): Promise<string> {
  return issueToken(t.config.auth, subject, [], 3600, new Map(grants.map(([project, role]) => [project, [role]])));
}

/** A GraphQL call as a named person holding a global role (four eyes reads the subject). */
async function as(role: Role, subject: string, query: string, variables: Record<string, unknown> = {}) {
  return t.gql(query, variables, { token: await t.token(role, subject) });
}

const withToken = (token: string, query: string, variables: Record<string, unknown> = {}) => t.gql(query, variables, { token });

const REQUEST = `mutation($v: ID!, $to: LifecycleStage!) { requestPromotion(versionId: $v, target: $to, justification: "ready") {
  id state project requiredApprovals policy { gates requiredApprovals evidenceProvenances } evidence { evaluations selfRecorded gates { gate passed detail } } } }`;
const APPROVE = `mutation($r: ID!) { approvePromotion(requestId: $r, comment: "ok") { state version { status } } }`;
const READ = `query($r: ID!) { promotionRequest(id: $r) { state project decidedBy decisionReason policy { gates requiredApprovals } } }`;

/** One result our own evaluation run wrote (runner set, as only a run sets it): MEASURED evidence. */
async function measured(modelId: string, versionId: string): Promise<void> {
  await t.dataSource.query(
    `INSERT INTO evaluations (model_id, version_id, benchmark, score, recorded_by, provenance, runner) VALUES ($1, $2, 'mmlu', 0.61, 'evaluation-runner', 'MEASURED', 'lm-eval')`,
    [modelId, versionId],
  );
}

/**
 * A version as a clean import leaves it (files with verified sha256, a PASSED scan, VERIFIED), written directly:
 * these tests are about what happens after verification, and need no worker.
 */
async function verifiedIn(project: string) {
  return verifiedByRows(t, project, 'frozen');
}

async function evaluatedIn(project: string) {
  const ids = await verifiedIn(project);
  await measured(ids.modelId, ids.versionId);
  expect((await as(Role.EDITOR, 'erin', REQUEST, { v: ids.versionId, to: 'EVALUATED' })).data!.requestPromotion.state).toBe('APPROVED');
  return ids;
}

async function configure(project: string, input: Record<string, unknown>) {
  const res = await as(Role.ADMIN, 'root', `mutation($i: ConfigureProjectInput!) { configureProject(input: $i) { policy { evidenceProvenances targets { target gates requiredApprovals } } } }`, { i: { id: project, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.configureProject.policy;
}

const status = async (versionId: string) => (await t.dataSource.query('SELECT status FROM model_versions WHERE id = $1', [versionId]))[0].status;

describe('moving a model', () => {
  test('withdraws its open requests (audited); an approver of the old project can no longer approve', async () => {
    const [a, b] = [uniqueName('pa'), uniqueName('pb')];
    const { modelId, versionId } = await evaluatedIn(a);
    const asked = (await withToken(await grantToken('erin-a', [[a, Role.EDITOR]]), REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion;
    expect(asked).toMatchObject({ state: 'OPEN', project: a });
    const moved = await as(Role.ADMIN, 'root', `mutation($id: ID!, $p: String) { updateModel(id: $id, input: { project: $p }) { project } }`, { id: modelId, p: b });
    expect(moved.data!.updateModel.project).toBe(b);

    const approverOfA = await grantToken('amy', [[a, Role.APPROVER]]);
    const refused = await withToken(approverOfA, APPROVE, { r: asked.id });
    expect(refused.errors![0]).toMatchObject({ message: `Promotion request "${asked.id}" was not found`, extensions: { code: 'NOT_FOUND' } });
    expect(await status(versionId)).toBe('EVALUATED');
    expect((await as(Role.VIEWER, 'vic', READ, { r: asked.id })).data!.promotionRequest).toMatchObject({ state: 'WITHDRAWN', project: a, decidedBy: 'root', decisionReason: `model moved from ${a} to ${b}` });
    const audited = await t.dataSource.query(`SELECT actor, project, reason, version_id FROM audit_log WHERE action = 'promotion.withdrawn' AND subject_id = $1`, [asked.id]);
    expect(audited).toEqual([{ actor: 'root', project: a, reason: `model moved from ${a} to ${b}`, version_id: versionId }]);
    // Even an approver of both cannot decide it: it is over. A new request is B's, under B's policy.
    expect(errorCode(await as(Role.APPROVER, 'bob', APPROVE, { r: asked.id }))).toBe('CONFLICT');
    const again = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion;
    expect(again).toMatchObject({ state: 'OPEN', project: b });
    expect((await as(Role.APPROVER, 'bob', APPROVE, { r: again.id })).data!.approvePromotion).toEqual({ state: 'APPROVED', version: { status: 'PUBLISHED' } });
  });

  test('a request left open in another project than its model (from before moves withdrew them) is not decided', async () => {
    const { versionId } = await evaluatedIn(uniqueName('p'));
    const id = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion.id;
    await t.dataSource.query(`UPDATE promotion_requests SET project = 'elsewhere' WHERE id = $1`, [id]);
    const res = await as(Role.APPROVER, 'bob', APPROVE, { r: id });
    expect(res.errors![0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(res.errors![0].message).toMatch(/moved to project .* after this request was opened in "elsewhere"/);
    expect(await status(versionId)).toBe('EVALUATED');
  });
});

describe('a request keeps the policy it was opened under', () => {
  test("lowering the gates to none while it is open does not wave it through: its gates still hold at approval", async () => {
    const project = uniqueName('p');
    const { modelId, versionId } = await evaluatedIn(project);
    const asked = (await as(Role.APPROVER, 'alice', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion;
    expect(asked.policy).toEqual({ gates: ['CHECKSUMS_VERIFIED', 'SCAN_PASSED', 'EVALUATION_EVIDENCE', 'APPROVALS', 'LICENSE_ALLOWED', 'LICENSE_ACKNOWLEDGED'], requiredApprovals: 1, evidenceProvenances: ['MEASURED'] });
    const lowered = await configure(project, { targets: [{ target: 'PUBLISHED', gates: [] }] });
    expect(lowered.targets.find((x: { target: string }) => x.target === 'PUBLISHED')).toEqual({ target: 'PUBLISHED', gates: [], requiredApprovals: 0 });
    expect((await as(Role.VIEWER, 'vic', READ, { r: asked.id })).data!.promotionRequest.policy.requiredApprovals).toBe(1);
    // The requester, an approver, still cannot publish alone.
    expect((await as(Role.APPROVER, 'alice', APPROVE, { r: asked.id })).errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'approvals' } });
    expect(errorCode(await as(Role.APPROVER, 'alice', `mutation($v: ID!) { transitionVersion(id: $v, to: PUBLISHED) { status } }`, { v: versionId }))).toBe('CONFLICT');
    // The evidence is read again at approval, against the frozen gates: a rescan that FAILED stops it.
    await t.dataSource.query(
      `INSERT INTO scan_results (model_id, version_id, scanner, status, findings, files_scanned, bytes_scanned, started_at, completed_at) VALUES ($1, $2, 'rescan', 'FAILED', '[]', 1, 10, now() + interval '1 second', now() + interval '2 seconds')`,
      [modelId, versionId],
    );
    const stopped = await as(Role.APPROVER, 'bob', APPROVE, { r: asked.id });
    expect(stopped.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'scan-passed' } });
    expect(await status(versionId)).toBe('EVALUATED');
    expect(await t.dataSource.query('SELECT approver FROM promotion_approvals WHERE request_id = $1', [asked.id])).toEqual([]);
    expect((await as(Role.VIEWER, 'vic', READ, { r: asked.id })).data!.promotionRequest.state).toBe('OPEN');
  });

  test('raising a gate strands nothing: the open request is decided under its own; later ones under the new', async () => {
    const project = uniqueName('p');
    const first = await evaluatedIn(project);
    const open = (await as(Role.EDITOR, 'erin', REQUEST, { v: first.versionId, to: 'PUBLISHED' })).data!.requestPromotion;
    await configure(project, { targets: [{ target: 'PUBLISHED', requiredApprovals: 2 }] });
    expect((await as(Role.APPROVER, 'bob', APPROVE, { r: open.id })).data!.approvePromotion).toEqual({ state: 'APPROVED', version: { status: 'PUBLISHED' } });
    const second = await evaluatedIn(project);
    const later = (await as(Role.EDITOR, 'erin', REQUEST, { v: second.versionId, to: 'PUBLISHED' })).data!.requestPromotion;
    expect(later).toMatchObject({ requiredApprovals: 2, policy: { requiredApprovals: 2 } });
    expect((await as(Role.APPROVER, 'bob', APPROVE, { r: later.id })).data!.approvePromotion.state).toBe('OPEN');
    const audited = await t.dataSource.query(`SELECT actor FROM audit_log WHERE action = 'project.configured' AND project = $1`, [project]);
    expect(audited).toEqual([{ actor: 'root' }]);
  });
});

test('every approval re-reads the evidence: a rescan that FAILED since the request refuses even the first of two', async () => {
  const project = uniqueName('p');
  await configure(project, { targets: [{ target: 'PUBLISHED', requiredApprovals: 2 }] });
  const { modelId, versionId } = await evaluatedIn(project);
  const asked = (await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'PUBLISHED' })).data!.requestPromotion;
  await t.dataSource.query(
    `INSERT INTO scan_results (model_id, version_id, scanner, status, findings, files_scanned, bytes_scanned, started_at, completed_at) VALUES ($1, $2, 'rescan', 'FAILED', '[]', 1, 10, now() + interval '1 second', now() + interval '2 seconds')`,
    [modelId, versionId],
  );
  expect((await as(Role.APPROVER, 'bob', APPROVE, { r: asked.id })).errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'scan-passed' } });
  expect(await t.dataSource.query('SELECT approver FROM promotion_approvals WHERE request_id = $1', [asked.id])).toEqual([]);
  expect(await t.dataSource.query(`SELECT id FROM audit_log WHERE action = 'promotion.approved' AND subject_id = $1`, [asked.id])).toEqual([]);
});

describe('evidence provenance', () => {
  const RECORD = `mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: 0.7 }) { id } }`;

  test('a hand-recorded score is no evidence by default; where RECORDED counts, never for the requester who typed it', async () => {
    const project = uniqueName('p');
    const { versionId } = await verifiedIn(project);
    expect((await as(Role.EDITOR, 'erin', RECORD, { v: versionId })).errors).toBeUndefined();
    expect(await t.dataSource.query('SELECT provenance, recorded_by FROM evaluations WHERE version_id = $1', [versionId])).toEqual([{ provenance: 'RECORDED', recorded_by: 'erin' }]);
    const byDefault = await as(Role.EDITOR, 'frank', REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(byDefault.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'evaluation-evidence' } });
    expect(byDefault.errors![0].message).toMatch(/no evaluation or benchmark recorded that counts as evidence \(MEASURED\)/);

    expect((await configure(project, { evidenceProvenances: ['MEASURED', 'RECORDED'] })).evidenceProvenances).toEqual(['MEASURED', 'RECORDED']);
    const own = await as(Role.EDITOR, 'erin', REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(own.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'evaluation-evidence' } });
    expect(own.errors![0].message).toMatch(/1 recorded by the requester do not count for their own request/);
    expect(await t.dataSource.query('SELECT id FROM promotion_requests WHERE version_id = $1', [versionId])).toEqual([]);
    const other = (await as(Role.EDITOR, 'frank', REQUEST, { v: versionId, to: 'EVALUATED' })).data!.requestPromotion;
    expect(other).toMatchObject({ state: 'APPROVED', policy: { evidenceProvenances: ['MEASURED', 'RECORDED'] }, evidence: { evaluations: 1, selfRecorded: 0 } });
    expect(await status(versionId)).toBe('EVALUATED');
  });

  test('an unknown provenance is refused', async () => {
    const res = await as(Role.ADMIN, 'root', `mutation($p: String!, $e: [Provenance!]) { configureProject(input: { id: $p, evidenceProvenances: $e }) { id } }`, { p: uniqueName('p'), e: ['GUESSED'] });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('requireSignature turned on after versions were verified', () => {
  test('an unsigned VERIFIED version is not promoted (signature-valid gate, with the way out); a validly signed one is', async () => {
    const project = uniqueName('psig');
    const unsigned = await verifiedIn(project);
    const signed = await verifiedIn(project);
    await measured(unsigned.modelId, unsigned.versionId);
    await measured(signed.modelId, signed.versionId);
    // What the import's signature check writes for files whose model.sig verified, by a key the project trusts
    // (the gate checks the signer is still trusted: attack-session29.test.ts).
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await t.dataSource.query(
      `INSERT INTO version_signatures (version_id, origin, valid, method, key_fingerprint, covered_files, problems, sha256, size) VALUES ($1, 'UPSTREAM', true, 'KEY', $2, '["config.json"]', '[]', $3, 10)`,
      [signed.versionId, keyFingerprint(publicKey), 'a'.repeat(64)],
    );
    const policy = await configure(project, { requireSignature: true, trustedSigningKeys: [publicKey.export({ type: 'spki', format: 'pem' }).toString()] });
    expect(policy.targets.find((x: { target: string }) => x.target === 'EVALUATED').gates).toEqual(['CHECKSUMS_VERIFIED', 'SCAN_PASSED', 'EVALUATION_EVIDENCE', 'SIGNATURE_VALID']);

    const refused = await as(Role.EDITOR, 'erin', REQUEST, { v: unsigned.versionId, to: 'EVALUATED' });
    expect(refused.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'signature-valid', target: 'EVALUATED' } });
    expect(refused.errors![0].message).toMatch(/carries no upstream signature \(model\.sig\)\. To pass: import the version from a source whose files carry a model\.sig/);
    expect(await status(unsigned.versionId)).toBe('VERIFIED');

    const promoted = (await as(Role.EDITOR, 'erin', REQUEST, { v: signed.versionId, to: 'EVALUATED' })).data!.requestPromotion;
    expect(promoted.state).toBe('APPROVED');
    expect(promoted.evidence.gates.find((g: { gate: string }) => g.gate === 'SIGNATURE_VALID')).toEqual({ gate: 'SIGNATURE_VALID', passed: true, detail: 'its upstream signature verified against the files' });
    expect(await status(signed.versionId)).toBe('EVALUATED');
  });
});
