import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { checkEventData, type EventType } from '../../src/domain/events/event-catalogue';
import { registerModel, recordEvidence } from '../support/catalog-fixtures';
import { importModel, importVerified, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * The catalogue events come from the changes themselves: each is in the outbox, written in the transaction of the
 * change (recordAudit and the scan's settlement write them), with the ids and names a receiver needs.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

interface OutboxRow {
  type: EventType;
  project: string;
  data: Record<string, unknown>;
}

async function eventsOf(modelId: string): Promise<OutboxRow[]> {
  return t.dataSource.query(`SELECT type, project, data FROM event_outbox WHERE data->>'modelId' = $1 ORDER BY seq`, [modelId]);
}

test('a version\'s life sends version.created, import.succeeded, alias.moved, promotion.*, version.published and version.archived, each fitting its schema', async () => {
  const project = uniqueName('events');
  const name = uniqueName('evt');
  const model = await registerModel(t, { name, project, license: 'Apache-2.0' });
  const { versionId, operationId } = await importVerified(t, { name });
  await recordEvidence(t, versionId);
  await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "evaluated") { id } }`, { v: versionId });
  const asked = await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "for chat") { id } }`, { v: versionId });
  const requestId = asked.data!.requestPromotion.id;
  await t.gql(`mutation($r: ID!) { approvePromotion(requestId: $r, comment: "ok") { state } }`, { r: requestId }, { as: Role.APPROVER });
  expect((await t.gql(`mutation($m: ID!, $v: ID!) { setAlias(modelId: $m, name: "staging", versionId: $v) { name } }`, { m: model.id, v: versionId })).errors).toBeUndefined();
  await t.gql(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: "superseded") { status } }`, { v: versionId }, { as: Role.APPROVER });

  const events = await eventsOf(model.id);
  for (const event of events) expect([event.type, checkEventData(event.type, event.data)]).toEqual([event.type, []]);
  expect(events.every((e) => e.project === project && e.data.project === project && e.data.modelName === name)).toBe(true);
  const byType = (type: EventType) => events.filter((e) => e.type === type);
  expect(byType('version.created')[0].data).toMatchObject({ versionId, version: '1.0.0', modelId: model.id });
  expect(byType('import.succeeded')[0].data).toMatchObject({ versionId, operationId });
  expect(byType('alias.moved').map((e) => [e.data.alias, e.data.toVersionId, e.data.toVersion])).toEqual([
    ['default', versionId, '1.0.0'],
    ['staging', versionId, '1.0.0'],
    ['default', null, null],
  ]);
  expect(byType('promotion.requested').map((e) => e.data.target)).toEqual(['EVALUATED', 'PUBLISHED']);
  expect(byType('promotion.approved').at(-1)!.data).toMatchObject({ requestId, target: 'PUBLISHED', approvedBy: 'approver-user', comment: 'ok' });
  expect(byType('version.published')).toHaveLength(1);
  expect(byType('version.archived')[0].data).toMatchObject({ versionId, reason: 'superseded', actor: 'approver-user' });
  // The archive moved the default away: that is an alias move too (to nothing).
  expect(byType('alias.moved').at(-1)!.data).toMatchObject({ alias: 'default', fromVersionId: versionId });
}, 120_000);

test('a rejected promotion, and an import that fails verification, send their events', async () => {
  const name = uniqueName('evt-bad');
  const model = await registerModel(t, { name, license: 'Apache-2.0' });
  const dir = path.join(t.config.imports.diskRoots[0], uniqueName('bad'));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.safetensors'), Buffer.from('not a safetensors file at all'));
  const res = await importModel(t, { name, source: { sourceType: 'DISK', path: dir } });
  const op = await waitForOperation(t, res.data!.importModel.id);
  expect(op.status).toBe('FAILED');
  const { versionId } = await importVerified(t, { name, version: '1.0.1' });
  await recordEvidence(t, versionId);
  await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "evaluated") { id } }`, { v: versionId });
  const asked = await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "x") { id } }`, { v: versionId });
  expect(asked.errors).toBeUndefined();
  await t.gql(`mutation($r: ID!) { rejectPromotion(requestId: $r, reason: "not yet") { state } }`, { r: asked.data!.requestPromotion.id }, { as: Role.APPROVER });

  const events = await eventsOf(model.id);
  for (const event of events) expect([event.type, checkEventData(event.type, event.data)]).toEqual([event.type, []]);
  const failed = events.find((e) => e.type === 'import.failed');
  expect(failed?.data).toMatchObject({ version: '1.0.0', operationId: res.data!.importModel.id, message: expect.any(String) });
  expect(events.find((e) => e.type === 'promotion.rejected')?.data).toMatchObject({ versionId, target: 'PUBLISHED', rejectedBy: 'approver-user', comment: 'not yet' });
}, 120_000);
