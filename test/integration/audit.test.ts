import { Role } from '../../src/domain/auth/roles';
import { recordEvidence, registerModel } from '../support/catalog-fixtures';
import { importVerified } from '../support/onboarding-fixtures';
import { subscribe } from '../support/subscriptions';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

async function as(role: Role, subject: string, query: string, variables: Record<string, unknown> = {}) {
  return t.gql(query, variables, { token: await t.token(role, subject) });
}

const AUDIT = `query($m: ID, $a: String, $actor: String, $first: Int, $after: String) {
  auditLog(modelId: $m, action: $a, actor: $actor, first: $first, after: $after) {
    edges { cursor node { id action actor project versionId reason requestId details occurredAt } } pageInfo { hasNextPage endCursor } } }`;

describe('audit log storage', () => {
  test('UPDATE, DELETE and TRUNCATE of the audit table are refused by the database', async () => {
    const model = await registerModel(t, { license: 'MIT' });
    const id = await t.services.audit.recordAlone({ action: 'model.updated', actor: 'someone', modelId: model.id, reason: 'test', details: { field: 'x' } });
    const [row] = await t.dataSource.query('SELECT actor, action, project, model_id FROM audit_log WHERE id = $1', [id]);
    expect(row).toEqual({ actor: 'someone', action: 'model.updated', project: 'default', model_id: model.id });
    await expect(t.dataSource.query(`UPDATE audit_log SET actor = 'forger' WHERE id = $1`, [id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.dataSource.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [still] = await t.dataSource.query('SELECT actor FROM audit_log WHERE id = $1', [id]);
    expect(still.actor).toBe('someone');
  });
});

test('the full trail of DRAFT → … → PUBLISHED → ARCHIVED, with actors, reasons, request ids and field changes; as JSON lines; live to subscribers', async () => {
  const name = uniqueName('trail');
  const model = await registerModel(t, { name, project: 'trail-team', license: 'Apache-2.0' });
  const events = await subscribe(t, `subscription($m: ID!) { modelEvents(modelId: $m) { type audit { action actor } } }`, { m: model.id });
  const { versionId } = await importVerified(t, { name });
  await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { description: "A tidy model", tags: ["chat"] }) { id } }`, { id: model.id });
  await recordEvidence(t, versionId);
  await as(Role.EDITOR, 'erin', `mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "evaluated on mmlu") { id } }`, { v: versionId });
  const asked = await as(Role.EDITOR, 'erin', `mutation($v: ID!) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "for the chat team") { id } }`, { v: versionId });
  const requestId = asked.data!.requestPromotion.id;
  await as(Role.APPROVER, 'bob', `mutation($r: ID!) { approvePromotion(requestId: $r, comment: "ok") { state } }`, { r: requestId });
  await as(Role.APPROVER, 'bob', `mutation($v: ID!) { archiveVersion(versionId: $v, reason: "superseded by 2.0") { status } }`, { v: versionId });

  const page = await as(Role.VIEWER, 'vic', AUDIT, { m: model.id, first: 100 });
  const entries = page.data!.auditLog.edges.map((e: { node: Record<string, any> }) => e.node); // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
  const moves = entries.filter((e: { action: string }) => e.action === 'version.moved').map((e: { details: { from: string; to: string } }) => `${e.details.from}→${e.details.to}`);
  expect(moves).toEqual(['DRAFT→INGESTING', 'INGESTING→VERIFIED', 'VERIFIED→EVALUATED', 'EVALUATED→PUBLISHED', 'PUBLISHED→ARCHIVED']);
  expect(entries.map((e: { action: string }) => e.action)).toEqual(
    expect.arrayContaining(['model.registered', 'version.created', 'model.updated', 'promotion.requested', 'promotion.approved', 'promotion.applied', 'version.archived']),
  );
  expect(entries.every((e: { project: string }) => e.project === 'trail-team')).toBe(true);
  const updated = entries.find((e: { action: string }) => e.action === 'model.updated');
  expect(updated.details.changes).toEqual(expect.arrayContaining([{ field: 'description', before: null, after: 'A tidy model' }, { field: 'tags', before: [], after: ['chat'] }]));
  const applied = entries.filter((e: { action: string }) => e.action === 'promotion.applied').at(-1);
  expect(applied).toMatchObject({ actor: 'bob', reason: 'ok', details: { target: 'PUBLISHED', approvers: ['bob'] }, requestId: expect.any(String) });
  const published = entries.find((e: { action: string; details: { to: string } }) => e.action === 'version.moved' && e.details.to === 'PUBLISHED');
  expect(published).toMatchObject({ actor: 'bob', reason: `promotion ${requestId}: for the chat team` });
  expect(entries.find((e: { action: string }) => e.action === 'version.archived')).toMatchObject({ actor: 'bob', reason: 'superseded by 2.0' });
  // Ids increase: the trail is in the order things happened.
  const ids = entries.map((e: { id: string }) => BigInt(e.id));
  expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);

  // Filters and pages.
  const byBob = await as(Role.VIEWER, 'vic', AUDIT, { m: model.id, actor: 'bob', first: 2 });
  expect(byBob.data!.auditLog.edges).toHaveLength(2);
  expect(byBob.data!.auditLog.pageInfo.hasNextPage).toBe(true);
  const next = await as(Role.VIEWER, 'vic', AUDIT, { m: model.id, actor: 'bob', first: 50, after: byBob.data!.auditLog.pageInfo.endCursor });
  expect(next.data!.auditLog.edges.every((e: { node: { actor: string } }) => e.node.actor === 'bob')).toBe(true);
  expect((await as(Role.VIEWER, 'vic', AUDIT, { a: 'no.such' })).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });

  const exported = await as(Role.VIEWER, 'vic', `query($m: ID) { auditLogExport(modelId: $m) { jsonLines pageInfo { hasNextPage } } }`, { m: model.id });
  const lines = exported.data!.auditLogExport.jsonLines.trimEnd().split('\n').map((line: string) => JSON.parse(line));
  expect(lines.map((l: { id: string }) => l.id)).toEqual(entries.map((e: { id: string }) => e.id));
  expect(Object.keys(lines[0])).toEqual(['id', 'occurredAt', 'actor', 'action', 'project', 'modelId', 'versionId', 'subjectId', 'reason', 'requestId', 'details']);

  await events.until((e) => e.data?.modelEvents.audit?.action === 'version.archived', 15_000);
  const live = events.events.filter((e) => e.data?.modelEvents.type === 'AUDIT').map((e) => e.data!.modelEvents.audit.action);
  expect(live).toEqual(expect.arrayContaining(['model.updated', 'promotion.requested', 'promotion.applied', 'version.archived']));
  events.close();
});

test('deleting a model is audited and its trail outlives it', async () => {
  const model = await registerModel(t, { project: 'trail-team' });
  const res = await as(Role.ADMIN, 'root', `mutation($id: ID!) { deleteModel(id: $id) }`, { id: model.id });
  expect(res.errors ?? []).toEqual([]);
  const trail = await as(Role.VIEWER, 'vic', AUDIT, { m: model.id });
  expect(trail.errors ?? []).toEqual([]);
  expect(trail.data!.auditLog.edges.map((e: { node: { action: string; actor: string } }) => [e.node.action, e.node.actor])).toEqual([
    ['model.registered', 'editor-user'],
    ['model.deleted', 'root'],
  ]);
});
