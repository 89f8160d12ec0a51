import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { errorCode, verifiedByRows } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * A role is held in a project: approver in A means nothing in B. A caller who cannot read B gets NOT_FOUND for B's
 * requests, versions and audit entries, exactly as for ids that do not exist; one who can read B (public, or a
 * lesser role there) but lacks the role gets FORBIDDEN. Nothing a refused call touched changes.
 */
let t: TestApp;
const tag = uniqueName('gi');
const [a, b] = [`${tag}-a`, `${tag}-b`];
/** Editor in B and approver in A. */
let mixed: string;
/** Approver in A only. */
let approverOfA: string;
/** Viewer of A only. */
let viewerOfA: string;
let target: { modelId: string; versionId: string; requestId: string };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

async function grantToken(subject: string, grants: [string, Role][]): Promise<string> {
  return issueToken(t.config.auth, subject, [], 3600, new Map(grants.map(([project, role]) => [project, [role]])));
}

const withToken = (token: string, query: string, variables: Record<string, unknown> = {}) => t.gql(query, variables, { token });

/** An EVALUATED version of a model in `project` (files, scan and evidence as our runs leave them) with an open PUBLISHED request. */
async function openRequestIn(project: string) {
  const { modelId, versionId } = await verifiedByRows(t, project, 'gi');
  const model = { id: modelId };
  const version = { id: versionId };
  await t.dataSource.query(`INSERT INTO evaluations (model_id, version_id, benchmark, score, recorded_by, provenance, runner) VALUES ($1, $2, 'mmlu', 0.6, 'evaluation-runner', 'MEASURED', 'lm-eval')`, [model.id, version.id]);
  await t.dataSource.query(`UPDATE model_versions SET status = 'EVALUATED', files_complete = true WHERE id = $1`, [version.id]);
  const asked = await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "secret plans") { id state } }`, { v: version.id }, { token: await t.token(Role.EDITOR, 'erin') });
  expect(asked.data!.requestPromotion.state).toBe('OPEN');
  return { modelId: model.id, versionId: version.id, requestId: asked.data!.requestPromotion.id as string };
}

const APPROVE = `mutation($r: ID!) { approvePromotion(requestId: $r) { state } }`;
const REJECT = `mutation($r: ID!) { rejectPromotion(requestId: $r, reason: "no") { state } }`;
const WITHDRAW = `mutation($r: ID!) { withdrawPromotion(requestId: $r, reason: "no") { state } }`;
const ARCHIVE = `mutation($v: ID!) { archiveVersion(versionId: $v, reason: "no") { status } }`;
const ACK = `mutation($v: ID!) { acknowledgeLicense(versionId: $v) { id } }`;
const CHECK = `query($m: ID!, $v: ID!) { checkLicense(modelId: $m, versionId: $v) { outcome } }`;
const READ = `query($r: ID!) { promotionRequest(id: $r) { id justification } }`;

beforeAll(async () => {
  t = await startTestApp();
  mixed = await grantToken('mallory', [[b, Role.EDITOR], [a, Role.APPROVER]]);
  approverOfA = await grantToken('amy', [[a, Role.APPROVER]]);
  viewerOfA = await grantToken('val', [[a, Role.VIEWER]]);
  await openRequestIn(a);
  target = await openRequestIn(b);
});
afterAll(async () => {
  await t.stop();
});

/** B's request, version and trail are as they were: no approval, no decision, no move, no entry by the refused callers. */
async function unchanged() {
  const [request] = await t.dataSource.query('SELECT state FROM promotion_requests WHERE id = $1', [target.requestId]);
  expect(request.state).toBe('OPEN');
  expect(await t.dataSource.query('SELECT approver FROM promotion_approvals WHERE request_id = $1', [target.requestId])).toEqual([]);
  expect((await t.dataSource.query('SELECT status FROM model_versions WHERE id = $1', [target.versionId]))[0].status).toBe('EVALUATED');
  expect(await t.dataSource.query(`SELECT action FROM audit_log WHERE actor IN ('mallory', 'amy', 'val')`)).toEqual([]);
  expect(await t.dataSource.query('SELECT id FROM license_acknowledgments WHERE version_id = $1', [target.versionId])).toEqual([]);
}

test('a caller who cannot read B gets NOT_FOUND for its requests and versions, worded as for an unknown id', async () => {
  const cases: [string, string, Record<string, unknown>, Record<string, unknown>][] = [
    ['approve', APPROVE, { r: target.requestId }, { r: UNKNOWN }],
    ['reject', REJECT, { r: target.requestId }, { r: UNKNOWN }],
    ['withdraw', WITHDRAW, { r: target.requestId }, { r: UNKNOWN }],
    ['archive', ARCHIVE, { v: target.versionId }, { v: UNKNOWN }],
    ['acknowledge', ACK, { v: target.versionId }, { v: UNKNOWN }],
  ];
  for (const [label, query, theirs, unknown] of cases) {
    const [real, none] = [await withToken(approverOfA, query, theirs), await withToken(approverOfA, query, unknown)];
    expect([label, errorCode(real)]).toEqual([label, 'NOT_FOUND']);
    expect([label, errorCode(none)]).toEqual([label, 'NOT_FOUND']);
    const id = Object.values(theirs)[0] as string;
    expect([label, real.errors![0].message.replace(id, UNKNOWN)]).toEqual([label, none.errors![0].message]);
  }
  await unchanged();
});

test('editor in B and approver in A cannot approve, reject or archive in B: FORBIDDEN, naming the role it needs there', async () => {
  for (const [label, query, variables] of [['approve', APPROVE, { r: target.requestId }], ['reject', REJECT, { r: target.requestId }], ['archive', ARCHIVE, { v: target.versionId }]] as const) {
    const res = await withToken(mixed, query, variables);
    expect([label, errorCode(res)]).toEqual([label, 'FORBIDDEN']);
    expect(res.errors![0].extensions).toMatchObject({ requiredRole: 'approver', project: b });
  }
  // Someone else's request needs an admin of B, not its editors.
  expect(errorCode(await withToken(mixed, WITHDRAW, { r: target.requestId }))).toBe('FORBIDDEN');
  await unchanged();
});

test('a viewer of A reads nothing of B: not the request by id, the queue, the license check nor the trail', async () => {
  const mine = await withToken(viewerOfA, `{ promotionRequests(first: 100) { edges { node { id project } } } }`);
  const projects = new Set(mine.data!.promotionRequests.edges.map((e: { node: { project: string } }) => e.node.project));
  expect(projects.has(a)).toBe(true);
  expect(projects.has(b)).toBe(false);
  expect((await withToken(viewerOfA, `query($p: String) { promotionRequests(project: $p) { edges { node { id } } } }`, { p: b })).data!.promotionRequests.edges).toEqual([]);
  const read = await withToken(viewerOfA, READ, { r: target.requestId });
  expect(read.errors![0]).toMatchObject({ message: `Promotion request "${target.requestId}" was not found`, extensions: { code: 'NOT_FOUND' } });
  expect(read.data ?? null).toBeNull();
  expect(errorCode(await withToken(viewerOfA, CHECK, { m: target.modelId, v: target.versionId }))).toBe('NOT_FOUND');
  const trail = await withToken(viewerOfA, `query($m: ID) { auditLog(modelId: $m, first: 100) { edges { node { id } } } }`, { m: target.modelId });
  expect(trail.data!.auditLog.edges).toEqual([]);
  const exported = await withToken(viewerOfA, `query($m: ID) { auditLogExport(modelId: $m) { jsonLines } }`, { m: target.modelId });
  expect(exported.data!.auditLogExport.jsonLines).toBe('');
  expect(errorCode(await withToken(viewerOfA, `query($p: String!) { project(id: $p) { id } }`, { p: b }))).toBe('NOT_FOUND');
  expect((await withToken(viewerOfA, READ, { r: (await t.dataSource.query(`SELECT id FROM promotion_requests WHERE project = $1`, [a]))[0].id })).data!.promotionRequest.justification).toBe('secret plans');
});

test('once B is public its objects are readable: the same writes are FORBIDDEN, and still change nothing', async () => {
  const pub = await t.gql(`mutation($p: String!) { configureProject(input: { id: $p, public: true }) { public } }`, { p: b }, { token: await t.token(Role.ADMIN, 'root') });
  expect(pub.data!.configureProject.public).toBe(true);
  for (const [query, variables] of [[APPROVE, { r: target.requestId }], [REJECT, { r: target.requestId }], [ARCHIVE, { v: target.versionId }], [ACK, { v: target.versionId }]] as const) {
    expect(errorCode(await withToken(approverOfA, query, variables))).toBe('FORBIDDEN');
  }
  expect((await withToken(viewerOfA, READ, { r: target.requestId })).data!.promotionRequest.id).toBe(target.requestId);
  expect((await withToken(viewerOfA, CHECK, { m: target.modelId, v: target.versionId })).data!.checkLicense.outcome).toBe('ALLOWED');
  await unchanged();
});
