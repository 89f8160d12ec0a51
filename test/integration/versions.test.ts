import { Role } from '../../src/domain/auth/roles';
import { createVersion, errorCode, registerModel, transition } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const CREATE = `mutation($input: CreateVersionInput!) {
  createVersion(input: $input) { id version storagePath changelog status createdBy parent { id version } model { id name } }
}`;

test('a DRAFT is never the default: makeDefault is recorded as a wish, setDefaultVersion on it is a CONFLICT', async () => {
  const model = await registerModel(t);
  const v1 = await createVersion(t, model.id, '1.0.0', { storagePath: 's3://models/a/1.0.0', changelog: 'first' });
  const v2 = await createVersion(t, model.id, '2.0.0-rc.1', { parentVersionId: v1.id, makeDefault: true });
  const res = await t.gql(`query($id: ID!) { model(id: $id) { defaultVersion { id } pendingDefaultVersion { id version } aliases { name } } }`, { id: model.id });
  expect(res.data!.model).toEqual({ defaultVersion: null, pendingDefaultVersion: { id: v2.id, version: '2.0.0-rc.1' }, aliases: [] });

  const set = await t.gql(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { id } }`, { m: model.id, v: v1.id });
  expect(errorCode(set)).toBe('CONFLICT');
  expect(set.errors![0].message).toMatch(/1\.0\.0 is DRAFT; the default version must be a VERIFIED, EVALUATED or PUBLISHED version/);
  const [row] = await t.dataSource.query('SELECT default_version_id, pending_default_version_id FROM models WHERE id = $1', [model.id]);
  expect(row).toEqual({ default_version_id: null, pending_default_version_id: v2.id });
  const [audit] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE model_id = $1 AND action = 'default.changed'`, [model.id]);
  expect(audit.n).toBe(0);
  const [moves] = await t.dataSource.query('SELECT count(*)::int AS n FROM alias_moves WHERE model_id = $1', [model.id]);
  expect(moves.n).toBe(0);
});

test('archiving the version wished to become the default ends the wish', async () => {
  const model = await registerModel(t);
  const wished = await createVersion(t, model.id, '1.0.0', { makeDefault: true });
  expect((await transition(t, wished.id, 'ARCHIVED')).errors).toBeUndefined();
  const res = await t.gql(`query($id: ID!) { model(id: $id) { defaultVersion { id } pendingDefaultVersion { id } } }`, { id: model.id });
  expect(res.data!.model).toEqual({ defaultVersion: null, pendingDefaultVersion: null });
});

test('versions list newest semver first, with lineage and full fields', async () => {
  const model = await registerModel(t);
  for (const v of ['1.10.0', '1.2.0', '2.0.0-beta.2', '2.0.0', '2.0.0-beta.10', '1.2.0-alpha']) {
    await createVersion(t, model.id, v);
  }
  const res = await t.gql(`query($id: ID!) { model(id: $id) { versions { version } } }`, { id: model.id }, { as: Role.VIEWER });
  expect(res.data!.model.versions.map((v: { version: string }) => v.version)).toEqual([
    '2.0.0',
    '2.0.0-beta.10',
    '2.0.0-beta.2',
    '1.10.0',
    '1.2.0',
    '1.2.0-alpha',
  ]);
  const created = await t.gql(CREATE, { input: { modelId: model.id, version: '3.0.0', changelog: 'big', storagePath: 'fs://x' } });
  expect(created.data!.createVersion).toMatchObject({
    version: '3.0.0',
    changelog: 'big',
    storagePath: 'fs://x',
    status: 'DRAFT',
    createdBy: 'editor-user',
    parent: null,
    model: { id: model.id, name: model.name },
  });
  const fetched = await t.gql(`query($id: ID!) { version(id: $id) { version model { id } } }`, { id: created.data!.createVersion.id });
  expect(fetched.data!.version).toEqual({ version: '3.0.0', model: { id: model.id } });
});

test.each(['1.0', 'v1.0.0', '01.0.0', '1.0.0-', 'latest', ''])('"%s" is not a semantic version', async (version) => {
  const model = await registerModel(t);
  const res = await t.gql(CREATE, { input: { modelId: model.id, version } });
  expect(errorCode(res)).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions!.field).toBe('version');
  const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM model_versions WHERE model_id = $1', [model.id]);
  expect(row.n).toBe(0);
});

test('a duplicate version is a CONFLICT and the stored one keeps its data', async () => {
  const model = await registerModel(t);
  await createVersion(t, model.id, '1.0.0', { changelog: 'original' });
  const res = await t.gql(CREATE, { input: { modelId: model.id, version: '1.0.0', changelog: 'again' } });
  expect(errorCode(res)).toBe('CONFLICT');
  const rows = await t.dataSource.query('SELECT changelog FROM model_versions WHERE model_id = $1', [model.id]);
  expect(rows).toEqual([{ changelog: 'original' }]);
});

test('a parent or default from another model is refused; unknown ids are NOT_FOUND', async () => {
  const a = await registerModel(t);
  const b = await registerModel(t);
  const foreign = await createVersion(t, b.id, '1.0.0');
  const res = await t.gql(CREATE, { input: { modelId: a.id, version: '1.0.0', parentVersionId: foreign.id } });
  expect(errorCode(res)).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions!.field).toBe('parentVersionId');
  const setForeign = await t.gql(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { id } }`, {
    m: a.id,
    v: foreign.id,
  });
  expect(errorCode(setForeign)).toBe('BAD_USER_INPUT');
  const unknownModel = await t.gql(CREATE, { input: { modelId: '00000000-0000-4000-8000-000000000001', version: '1.0.0' } });
  expect(errorCode(unknownModel)).toBe('NOT_FOUND');
  const unknownVersion = await t.gql(`query { version(id: "00000000-0000-4000-8000-000000000002") { id } }`);
  expect(errorCode(unknownVersion)).toBe('NOT_FOUND');
});

test('an archived version is never the default; the model keeps taking new versions', async () => {
  const model = await registerModel(t);
  await createVersion(t, model.id, '1.0.0');
  const second = await createVersion(t, model.id, '1.1.0');
  expect((await transition(t, second.id, 'ARCHIVED')).errors).toBeUndefined();
  const res = await t.gql(`mutation($m: ID!, $v: ID!) { setDefaultVersion(modelId: $m, versionId: $v) { id } }`, { m: model.id, v: second.id });
  expect(errorCode(res)).toBe('CONFLICT');
  expect(res.errors![0].message).toMatch(/1\.1\.0 is ARCHIVED; the default version must be/);
  expect((await t.gql(CREATE, { input: { modelId: model.id, version: '1.2.0' } })).errors).toBeUndefined();
  const after = await t.gql(`query($id: ID!) { model(id: $id) { status defaultVersion { id } } }`, { id: model.id });
  expect(after.data!.model).toEqual({ status: 'DRAFT', defaultVersion: null });
});

test('a viewer cannot create versions', async () => {
  const model = await registerModel(t);
  const res = await t.gql(CREATE, { input: { modelId: model.id, version: '1.0.0' } }, { as: Role.VIEWER });
  expect(errorCode(res)).toBe('FORBIDDEN');
});
