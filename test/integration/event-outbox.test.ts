import { recordEvent } from '../../src/services/events/outbox';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const data = (modelName: string) => ({
  modelId: '6f1c2d3e-0000-4000-8000-000000000001',
  modelName,
  versionId: '6f1c2d3e-0000-4000-8000-000000000002',
  version: '1.0.0',
  actor: 'bob',
});

async function rowsFor(modelName: string) {
  return t.dataSource.query(`SELECT type, project, data, dispatched_at FROM event_outbox WHERE data->>'modelName' = $1`, [modelName]);
}

test('an event is in the outbox exactly when the transaction that wrote it committed', async () => {
  const kept = uniqueName('outbox');
  const id = await t.dataSource.transaction((tx) => recordEvent(tx, { type: 'version.published', project: 'outbox-team', data: data(kept) }));
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(await rowsFor(kept)).toEqual([
    { type: 'version.published', project: 'outbox-team', data: { ...data(kept), project: 'outbox-team' }, dispatched_at: null },
  ]);

  const dropped = uniqueName('outbox');
  await expect(
    t.dataSource.transaction(async (tx) => {
      await recordEvent(tx, { type: 'version.published', project: 'outbox-team', data: data(dropped) });
      throw new Error('the change failed');
    }),
  ).rejects.toThrow('the change failed');
  expect(await rowsFor(dropped)).toEqual([]);
});

test('a payload that does not fit its schema is refused and rolls the transaction back', async () => {
  const name = uniqueName('outbox');
  await expect(
    t.dataSource.transaction((tx) => recordEvent(tx, { type: 'version.archived', project: 'outbox-team', data: { modelName: name } })),
  ).rejects.toThrow(/version.archived does not fit its schema: data.modelId is missing/);
  expect(await rowsFor(name)).toEqual([]);
});

test('data.project is always the event\'s project', async () => {
  const name = uniqueName('outbox');
  await t.dataSource.transaction((tx) => recordEvent(tx, { type: 'version.published', project: 'right', data: { ...data(name), project: 'wrong' } }));
  expect((await rowsFor(name))[0].data.project).toBe('right');
});
