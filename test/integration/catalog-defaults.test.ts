import { Role } from '../../src/domain/auth/roles';
import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { modelFiles, uploadAndSubmit } from '../support/files-fixtures';
import { importVerified } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The default version (and so `/hf`'s `main`) is always usable, whatever path sets it: a model has none until one
 * of its versions is VERIFIED, setDefaultVersion refuses anything else, createVersion(makeDefault) is a wish the
 * system applies at verification, and every change is an alias move and a `default.changed` audit entry.
 */
// Each test verifies one to three imports through the worker.
jest.setTimeout(180_000);

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

const SYSTEM = 'system:default version at verification';
const STATE = `query($id: ID!) { model(id: $id) { defaultVersion { id status } } }`;
const WISH = `query($id: ID!) { model(id: $id) { defaultVersion { id status } pendingDefaultVersion { id } } }`;

async function state(modelId: string, query = STATE) {
  const res = await t.gql(query, { id: modelId }, { as: Role.VIEWER });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.model as { defaultVersion: { id: string; status: string } | null; pendingDefaultVersion?: { id: string } | null };
}

async function defaultChanges(modelId: string) {
  return t.dataSource.query(
    `SELECT actor, version_id AS "to", details->>'from' AS "from", request_id IS NOT NULL AS "hasRequestId" FROM audit_log WHERE model_id = $1 AND action = 'default.changed' ORDER BY id`,
    [modelId],
  ) as Promise<{ actor: string; to: string; from: string | null; hasRequestId: boolean }[]>;
}

async function hubMain(name: string, project: string | null): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${t.app.port}/hf/api/models/${project ?? 'default'}/${name}/revision/main`, {
    headers: { authorization: `Bearer ${await t.token(Role.EDITOR)}` },
  });
  await res.arrayBuffer();
  return res.status;
}

test('a model has no default until a version is VERIFIED; then the system makes it the default, audited', async () => {
  const model = await registerModel(t, { sourceType: 'CUSTOM' });
  const draft = await createVersion(t, model.id, '1.0.0');
  expect(await state(model.id)).toEqual({ defaultVersion: null });
  const byAlias = await t.gql(`query($m: String!) { versionByAlias(model: $m, alias: "default") { id } }`, { m: model.name });
  expect(errorCode(byAlias)).toBe('NOT_FOUND');
  expect(await hubMain(model.name, null)).toBe(404);

  const op = await uploadAndSubmit(t, draft.id, modelFiles());
  expect(op.status).toBe('SUCCEEDED');
  expect((await state(model.id)).defaultVersion).toEqual({ id: draft.id, status: 'VERIFIED' });
  expect(await defaultChanges(model.id)).toEqual([{ actor: SYSTEM, to: draft.id, from: null, hasRequestId: false }]);
  const moves = await t.dataSource.query('SELECT alias, from_version_id, to_version_id, actor FROM alias_moves WHERE model_id = $1', [model.id]);
  expect(moves).toEqual([{ alias: 'default', from_version_id: null, to_version_id: draft.id, actor: SYSTEM }]);
  expect(await hubMain(model.name, null)).toBe(200);
});

test('an import becomes the default once verified, through the same audited move', async () => {
  const { modelId, versionId } = await importVerified(t);
  expect((await state(modelId)).defaultVersion).toEqual({ id: versionId, status: 'VERIFIED' });
  expect(await defaultChanges(modelId)).toEqual([{ actor: SYSTEM, to: versionId, from: null, hasRequestId: false }]);
});

test('setDefaultVersion on a DRAFT is a CONFLICT that changes and records nothing; on a VERIFIED one it moves, audited', async () => {
  const model = await registerModel(t, { sourceType: 'CUSTOM' });
  const first = await createVersion(t, model.id, '1.0.0');
  expect((await uploadAndSubmit(t, first.id, modelFiles())).status).toBe('SUCCEEDED');
  const second = await createVersion(t, model.id, '1.1.0');
  const SET = `mutation($m: ID!, $v: ID!, $r: String) { setDefaultVersion(modelId: $m, versionId: $v, reason: $r) { defaultVersion { id } } }`;

  const refused = await t.gql(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { id } }`, { m: model.id, v: second.id });
  expect(errorCode(refused)).toBe('CONFLICT');
  expect(refused.errors![0].extensions!.status).toBe('DRAFT');
  expect((await state(model.id)).defaultVersion!.id).toBe(first.id);
  expect(await defaultChanges(model.id)).toHaveLength(1);

  expect((await uploadAndSubmit(t, second.id, modelFiles())).status).toBe('SUCCEEDED');
  // A model with a default keeps it when another version is verified: nobody asked for that one.
  expect((await state(model.id)).defaultVersion!.id).toBe(first.id);
  const moved = await t.gql(SET, { m: model.id, v: second.id, r: 'roll forward' });
  expect(moved.data!.setDefaultVersion.defaultVersion).toEqual({ id: second.id });
  expect(await defaultChanges(model.id)).toEqual([
    { actor: SYSTEM, to: first.id, from: null, hasRequestId: false },
    { actor: 'editor-user', to: second.id, from: first.id, hasRequestId: true },
  ]);
  const history = await t.gql(`query($id: ID!) { model(id: $id) { aliasHistory { alias actor reason } } }`, { id: model.id });
  expect(history.data!.model.aliasHistory[0]).toEqual({ alias: 'default', actor: 'editor-user', reason: 'roll forward' });
});

test('createVersion(makeDefault) on a draft is a wish: the default stays until that version is VERIFIED, then moves to it', async () => {
  const model = await registerModel(t, { sourceType: 'CUSTOM' });
  const first = await createVersion(t, model.id, '1.0.0');
  expect((await uploadAndSubmit(t, first.id, modelFiles())).status).toBe('SUCCEEDED');
  const wished = await createVersion(t, model.id, '2.0.0', { makeDefault: true });
  expect((await state(model.id)).defaultVersion).toEqual({ id: first.id, status: 'VERIFIED' });
  expect((await state(model.id, WISH)).pendingDefaultVersion).toEqual({ id: wished.id });
  const [row] = await t.dataSource.query('SELECT default_version_id FROM models WHERE id = $1', [model.id]);
  expect(row.default_version_id).toBe(first.id);

  expect((await uploadAndSubmit(t, wished.id, modelFiles())).status).toBe('SUCCEEDED');
  expect(await state(model.id, WISH)).toMatchObject({ defaultVersion: { id: wished.id, status: 'VERIFIED' }, pendingDefaultVersion: null });
  expect((await defaultChanges(model.id)).map((c) => [c.actor, c.from, c.to])).toEqual([
    [SYSTEM, null, first.id],
    [SYSTEM, first.id, wished.id],
  ]);
});

test('setDefaultVersion by hand replaces a pending wish', async () => {
  const model = await registerModel(t, { sourceType: 'CUSTOM' });
  const first = await createVersion(t, model.id, '1.0.0');
  expect((await uploadAndSubmit(t, first.id, modelFiles())).status).toBe('SUCCEEDED');
  const wished = await createVersion(t, model.id, '2.0.0', { makeDefault: true });
  const set = await t.gql(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { pendingDefaultVersion { id } } }`, { m: model.id, v: first.id });
  expect(set.data!.setDefaultVersion).toEqual({ pendingDefaultVersion: null });
  expect((await uploadAndSubmit(t, wished.id, modelFiles())).status).toBe('SUCCEEDED');
  expect((await state(model.id)).defaultVersion!.id).toBe(first.id);
});
