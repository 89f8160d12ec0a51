import { Role } from '../../src/domain/auth/roles';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
const SUBJECT = 'write-statements-editor';
let editor: string;

beforeAll(async () => {
  t = await startTestApp();
  editor = await t.token(Role.EDITOR, SUBJECT);
});
afterAll(async () => {
  await t.stop();
});

const MODEL = `id name displayName description sourceType tags project status createdBy createdAt updatedAt license { id } licenseRestrictions { commercialUse } pendingDefaultVersion { id }`;
const VERSION = `id version status storagePath changelog createdBy createdAt parent { id } model { id }`;
const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { ${MODEL} } }`;
const CREATE_VERSION = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { ${VERSION} } }`;
// What the bench asks: the id only, so the count is the mutation's own (relations in an answer are read by loaders).
const REGISTER_ID = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
const CREATE_VERSION_ID = `mutation($input: CreateVersionInput!) { createVersion(input: $input) { id } }`;

/** The SQL statements a mutation sends (TypeORM's log: BEGIN and COMMIT included), with its answer. */
async function counted<T>(query: string, variables: Record<string, unknown>): Promise<{ data: T; statements: string[] }> {
  t.queries.reset();
  const res = await t.gql<T>(query, variables, { token: editor });
  if (res.errors || !res.data) throw new Error(JSON.stringify(res.errors));
  return { data: res.data, statements: [...t.queries.statements] };
}

test('registerModel is one write statement (two with a license to look up), and answers what is stored', async () => {
  const plain = await counted<{ registerModel: { id: string } }>(REGISTER_ID, { input: { name: uniqueName('wstmt'), sourceType: 'HUGGING_FACE' } });
  expect(plain.statements).toHaveLength(1);
  expect(plain.statements[0]).toMatch(/^WITH model AS \(INSERT INTO "models"/);

  const licensed = await counted<{ registerModel: { id: string } }>(REGISTER_ID, { input: { name: uniqueName('wstmt'), sourceType: 'HUGGING_FACE', license: 'MIT' } });
  expect(licensed.statements).toHaveLength(2);

  const name = uniqueName('wstmt');
  const { data } = await counted<{ registerModel: Record<string, unknown> & { id: string } }>(REGISTER, {
    input: { name, sourceType: 'HUGGING_FACE', license: 'apache-2.0', tags: ['a', 'b'], description: 'folded' },
  });
  const stored = await t.gql<{ model: Record<string, unknown> }>(`query($id: ID!) { model(id: $id) { ${MODEL} } }`, { id: data.registerModel.id }, { token: editor });
  expect(data.registerModel).toEqual(stored.data!.model);
  expect(data.registerModel).toMatchObject({ name, license: { id: 'Apache-2.0' }, status: 'DRAFT', createdBy: SUBJECT, project: null });

  const audit = await t.dataSource.query(`SELECT action, project, actor FROM audit_log WHERE model_id = $1`, [data.registerModel.id]);
  expect(audit).toEqual([{ action: 'model.registered', project: 'default', actor: SUBJECT }]);
  const moves = await t.dataSource.query(`SELECT from_status, to_status, reason FROM lifecycle_transitions WHERE model_id = $1`, [data.registerModel.id]);
  expect(moves).toEqual([{ from_status: null, to_status: 'DRAFT', reason: 'registered' }]);
});

test('a taken name is still a CONFLICT and stores nothing', async () => {
  const name = uniqueName('wstmt');
  await counted(REGISTER, { input: { name, sourceType: 'HUGGING_FACE' } });
  const again = await t.gql(REGISTER, { input: { name, sourceType: 'HUGGING_FACE', description: 'twin' } }, { token: editor });
  expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log a JOIN models m ON m.id = a.model_id WHERE m.name = $1`, [name]);
  expect(n).toBe(1);
});

test('createVersion is BEGIN, the locked model with its project, one write, COMMIT; it answers what is stored', async () => {
  const model = await counted<{ registerModel: { id: string } }>(REGISTER_ID, { input: { name: uniqueName('wstmt'), sourceType: 'HUGGING_FACE' } });
  const modelId = model.data.registerModel.id;
  const first = await counted<{ createVersion: { id: string } }>(CREATE_VERSION_ID, { input: { modelId, version: '1.0.0', storagePath: 's3://b/m/1' } });
  expect(first.statements).toHaveLength(4);
  expect(first.statements[1]).toMatch(/FOR UPDATE OF/);
  expect(first.statements[2]).toMatch(/^WITH version AS \(INSERT INTO "model_versions"/);

  const second = await counted<{ createVersion: Record<string, unknown> & { id: string } }>(CREATE_VERSION, {
    input: { modelId, version: '1.1.0', changelog: 'next', parentVersionId: first.data.createVersion.id, makeDefault: true },
  });
  const stored = await t.gql<{ version: Record<string, unknown> }>(`query($id: ID!) { version(id: $id) { ${VERSION} } }`, { id: second.data.createVersion.id }, { token: editor });
  expect(second.data.createVersion).toEqual(stored.data!.version);
  expect(second.data.createVersion).toMatchObject({ version: '1.1.0', status: 'DRAFT', createdBy: SUBJECT, parent: { id: first.data.createVersion.id } });
  const wish = await t.gql<{ model: { pendingDefaultVersion: { id: string } | null; status: string } }>(`query($id: ID!) { model(id: $id) { status pendingDefaultVersion { id } } }`, { id: modelId }, { token: editor });
  expect(wish.data!.model).toEqual({ status: 'DRAFT', pendingDefaultVersion: { id: second.data.createVersion.id } });

  const events = await t.dataSource.query(`SELECT type, project, data FROM event_outbox WHERE data->>'modelId' = $1 ORDER BY seq`, [modelId]);
  expect(events).toEqual([
    { type: 'version.created', project: 'default', data: expect.objectContaining({ versionId: first.data.createVersion.id, version: '1.0.0', actor: SUBJECT, project: 'default' }) },
    { type: 'version.created', project: 'default', data: expect.objectContaining({ versionId: second.data.createVersion.id, version: '1.1.0', actor: SUBJECT }) },
  ]);
  const audit = await t.dataSource.query(`SELECT action, version_id FROM audit_log WHERE model_id = $1 ORDER BY id`, [modelId]);
  expect(audit.map((a: { action: string }) => a.action)).toEqual(['model.registered', 'version.created', 'version.created']);
});

test("the model's summarised status: a new DRAFT keeps a PUBLISHED model PUBLISHED and revives an ARCHIVED one", async () => {
  const published = (await counted<{ registerModel: { id: string } }>(REGISTER_ID, { input: { name: uniqueName('wstmt'), sourceType: 'HUGGING_FACE' } })).data.registerModel.id;
  const archived = (await counted<{ registerModel: { id: string } }>(REGISTER_ID, { input: { name: uniqueName('wstmt'), sourceType: 'HUGGING_FACE' } })).data.registerModel.id;
  for (const [modelId, stage] of [[published, 'PUBLISHED'], [archived, 'ARCHIVED']]) {
    const v = await counted<{ createVersion: { id: string } }>(CREATE_VERSION_ID, { input: { modelId, version: '1.0.0' } });
    // The stage a version reaches through imports and approvals, set directly: what is under test is the summary.
    await t.dataSource.query(`UPDATE model_versions SET status = $2 WHERE id = $1`, [v.data.createVersion.id, stage]);
    await t.dataSource.query(`UPDATE models SET status = $2 WHERE id = $1`, [modelId, stage]);
  }
  const status = async (modelId: string) => (await t.gql<{ model: { status: string } }>(`query($id: ID!) { model(id: $id) { status } }`, { id: modelId }, { token: editor })).data!.model.status;
  const onPublished = await counted<{ createVersion: { id: string } }>(CREATE_VERSION_ID, { input: { modelId: published, version: '2.0.0' } });
  expect(onPublished.statements).toHaveLength(4);
  expect(await status(published)).toBe('PUBLISHED');
  await counted(CREATE_VERSION, { input: { modelId: archived, version: '2.0.0' } });
  expect(await status(archived)).toBe('DRAFT');
});
