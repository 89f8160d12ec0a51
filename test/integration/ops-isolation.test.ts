import { randomUUID } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { type LiveResult, postGraphQL, wsSubscribe } from '../support/live-clients';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Operations, rescans and caches by project: vera views project A, eddie edits it. B's objects are NOT_FOUND for
 * them, answered exactly as ids that do not exist, and nothing of B changes; a public project's are readable but
 * FORBIDDEN to write without the role there. A name taken in B is CONFLICT for an import, naming neither.
 */
let t: TestApp;
const tag = uniqueName('opsiso');
const A = `${tag}-a`;
const B = `${tag}-b`;
const PUB = `${tag}-pub`;
let vera: string;
let eddie: string;

interface Imported {
  name: string;
  modelId: string;
  versionId: string;
  operationId: string;
}
let a: Imported;
let b: Imported & { cacheId: string };
let pub: Imported;
type Ids = Record<'modelId' | 'versionId' | 'operationId' | 'cacheId', string>;
const unknown: Ids = { modelId: randomUUID(), versionId: randomUUID(), operationId: randomUUID(), cacheId: randomUUID() };
const errorCode = (result: LiveResult | undefined) => result?.errors?.[0]?.extensions?.code;
jest.setTimeout(120_000);

async function imported(project: string): Promise<Imported> {
  const name = uniqueName(`${tag}-m`);
  const res = await importModel(t, { name, project, source: { sourceType: 'DISK', path: await writeModelDir(t) } });
  expect(res.errors).toBeUndefined();
  expect(await waitForOperation(t, res.data!.importModel.id)).toMatchObject({ status: 'SUCCEEDED' });
  return { name, modelId: res.data!.importModel.model.id, versionId: res.data!.importModel.version.id, operationId: res.data!.importModel.id };
}

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  const grant = (subject: string, role: Role) => issueToken(t.config.auth, subject, [], 3600, new Map([[A, [role]]]));
  vera = `Bearer ${await grant(`vera-${tag}`, Role.VIEWER)}`;
  eddie = `Bearer ${await grant(`eddie-${tag}`, Role.EDITOR)}`;
  expect((await t.gql(`mutation($p: String!) { configureProject(input: { id: $p, public: true }) { id } }`, { p: PUB }, { as: Role.ADMIN })).errors).toBeUndefined();
  [a, pub] = [await imported(A), await imported(PUB)];
  const bImport = await imported(B);
  const cache = await t.gql(`mutation($v: ID!) { createLocalCache(versionId: $v) { id operation { id } } }`, { v: bImport.versionId });
  expect(cache.errors).toBeUndefined();
  await waitForOperation(t, cache.data!.createLocalCache.operation.id);
  b = { ...bImport, cacheId: cache.data!.createLocalCache.id };
}, 180_000);

afterAll(async () => {
  await t?.stop();
});

/** The answer with B's ids and the unknown twin's replaced by placeholders, so the two compare. */
function swapped(result: unknown): string {
  let text = JSON.stringify(result);
  for (const key of ['modelId', 'versionId', 'operationId', 'cacheId'] as const) {
    text = text.split(b[key]).join(`<${key}>`).split(unknown[key]).join(`<${key}>`);
  }
  return text;
}

async function sameAsUnknown(token: string, document: string, variables: (ids: Ids) => Record<string, unknown>): Promise<LiveResult> {
  const forB = await postGraphQL(t.app.url, token, document, variables(b));
  const forUnknown = await postGraphQL(t.app.url, token, document, variables(unknown));
  expect([document, errorCode(forB)]).toEqual([document, 'NOT_FOUND']);
  expect(swapped(forB)).toBe(swapped(forUnknown));
  expect(JSON.stringify(forB)).not.toContain(B);
  return forB;
}

/** The rows of B an attempt could have touched. */
async function bRows() {
  return {
    operations: await t.dataSource.query('SELECT id, status, sequence FROM operations WHERE model_id = $1 ORDER BY id', [b.modelId]),
    versions: await t.dataSource.query('SELECT id, status FROM model_versions WHERE model_id = $1 ORDER BY id', [b.modelId]),
    caches: await t.dataSource.query('SELECT id, state FROM local_caches WHERE model_id = $1 ORDER BY id', [b.modelId]),
  };
}

test("a viewer of A gets NOT_FOUND for B's operation and model events, exactly as for ids that do not exist", async () => {
  await sameAsUnknown(vera, `query($id: ID!) { operation(id: $id) { id status } }`, (ids) => ({ id: ids.operationId }));
  for (const [document, variables] of [
    [`subscription($id: ID!) { operationProgress(id: $id) { id status } }`, (ids: Ids) => ({ id: ids.operationId })],
    [`subscription($m: ID!) { modelEvents(modelId: $m) { type } }`, (ids: Ids) => ({ m: ids.modelId })],
  ] as const) {
    const [forB] = await wsSubscribe(t.app.url, vera, document, variables(b)).done;
    const [forUnknown] = await wsSubscribe(t.app.url, vera, document, variables(unknown)).done;
    expect([document, errorCode(forB)]).toEqual([document, 'NOT_FOUND']);
    expect(swapped(forB)).toBe(swapped(forUnknown));
  }
  // Her own project's operation, its version's scans and caches read as before (the nested loaders are scoped too).
  const own = await postGraphQL(t.app.url, vera, `query($id: ID!) { operation(id: $id) { status version { scans { status files { path } } localCaches { id } } model { operations { id } } } }`, { id: a.operationId });
  expect(own.errors).toBeUndefined();
  expect(own.data!.operation).toMatchObject({ status: 'SUCCEEDED', version: { scans: [{ status: 'PASSED', files: expect.arrayContaining([{ path: 'config.json' }]) }] }, model: { operations: [{ id: a.operationId }] } });
  const progress = await wsSubscribe(t.app.url, vera, `subscription($id: ID!) { operationProgress(id: $id) { id status } }`, { id: a.operationId }).done;
  expect(progress.at(-1)!.data!.operationProgress).toEqual({ id: a.operationId, status: 'SUCCEEDED' });
});

test("retry, cancel, rescans, caching and eviction of B's objects are NOT_FOUND for an editor of A, and change nothing", async () => {
  const before = await bRows();
  await sameAsUnknown(eddie, `mutation($id: ID!) { retryOperation(id: $id) { id } }`, (ids) => ({ id: ids.operationId }));
  await sameAsUnknown(eddie, `mutation($id: ID!) { cancelOperation(id: $id) { id } }`, (ids) => ({ id: ids.operationId }));
  await sameAsUnknown(eddie, `mutation($v: ID!) { scanVersion(versionId: $v) { id } }`, (ids) => ({ v: ids.versionId }));
  await sameAsUnknown(eddie, `mutation($m: ID!) { scanModel(modelId: $m) { id } }`, (ids) => ({ m: ids.modelId }));
  await sameAsUnknown(eddie, `mutation($v: ID!) { createLocalCache(versionId: $v) { id } }`, (ids) => ({ v: ids.versionId }));
  await sameAsUnknown(eddie, `mutation($id: ID!) { evictLocalCache(id: $id) { id } }`, (ids) => ({ id: ids.cacheId }));
  expect(await bRows()).toEqual(before);
  // The same writes in her own project work.
  const scan = await postGraphQL(t.app.url, eddie, `mutation($v: ID!) { scanVersion(versionId: $v) { id kind } }`, { v: a.versionId });
  expect(scan.data!.scanVersion.kind).toBe('SCAN');
  expect(await waitForOperation(t, scan.data!.scanVersion.id)).toMatchObject({ status: 'SUCCEEDED' });
});

test('in a public project, readable without a role there, writes are FORBIDDEN and reads work', async () => {
  const read = await postGraphQL(t.app.url, vera, `query($id: ID!) { operation(id: $id) { id } }`, { id: pub.operationId });
  expect(read.data!.operation.id).toBe(pub.operationId);
  for (const [document, variables] of [
    [`mutation($v: ID!) { scanVersion(versionId: $v) { id } }`, { v: pub.versionId }],
    [`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: pub.operationId }],
    [`mutation($id: ID!) { cancelOperation(id: $id) { id } }`, { id: pub.operationId }],
    [`mutation($v: ID!) { createLocalCache(versionId: $v) { id } }`, { v: pub.versionId }],
  ] as const) {
    expect([document, errorCode(await postGraphQL(t.app.url, eddie, document, variables))]).toEqual([document, 'FORBIDDEN']);
  }
  // A viewer of A holds no editor role anywhere: refused before any project is looked at.
  expect(errorCode(await postGraphQL(t.app.url, vera, `mutation($v: ID!) { scanVersion(versionId: $v) { id } }`, { v: a.versionId }))).toBe('FORBIDDEN');
});

test('importing under a name taken in an unreadable project is a CONFLICT that names neither, and adds nothing there', async () => {
  const document = `mutation($input: ImportModelInput!) { importModel(input: $input) { id } }`;
  const dir = await writeModelDir(t);
  for (const project of [A, null]) {
    const res = await postGraphQL(t.app.url, eddie, document, { input: { name: b.name, version: '2.0.0', ...(project ? { project } : {}), source: { sourceType: 'DISK', path: dir } } });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].extensions).toEqual({ code: 'CONFLICT', field: 'name' });
    expect(JSON.stringify(res)).not.toContain(B);
  }
  const registered = await postGraphQL(t.app.url, eddie, `mutation($n: String!, $p: String!) { registerModel(input: { name: $n, sourceType: CUSTOM, project: $p }) { id } }`, { n: b.name, p: A });
  expect(registered.errors![0].extensions).toEqual({ code: 'CONFLICT', field: 'name' });
  expect(await t.dataSource.query('SELECT version FROM model_versions WHERE model_id = $1', [b.modelId])).toEqual([{ version: '1.0.0' }]);
  // Into B by name: NOT_FOUND, as for a project that does not exist.
  const intoB = await postGraphQL(t.app.url, eddie, document, { input: { name: uniqueName(tag), project: B, source: { sourceType: 'DISK', path: dir } } });
  expect(errorCode(intoB)).toBe('NOT_FOUND');
});

test('an import adds a version to her own model, and the project she names is normalised as every check does it', async () => {
  const document = `mutation($input: ImportModelInput!) { importModel(input: $input) { id model { id project } version { version } } }`;
  const dir = await writeModelDir(t);
  const next = await postGraphQL(t.app.url, eddie, document, { input: { name: a.name, version: '1.1.0', source: { sourceType: 'DISK', path: dir } } });
  expect(next.errors).toBeUndefined();
  expect(next.data!.importModel).toMatchObject({ model: { id: a.modelId, project: A }, version: { version: '1.1.0' } });
  await waitForOperation(t, next.data!.importModel.id);
  const shouted = await postGraphQL(t.app.url, eddie, document, { input: { name: uniqueName(tag), project: ` ${A.toUpperCase()} `, source: { sourceType: 'DISK', path: dir } } });
  expect(shouted.errors).toBeUndefined();
  expect(shouted.data!.importModel.model.project).toBe(A);
  await waitForOperation(t, shouted.data!.importModel.id);
  // A model of A imported into with another project named: refused, nothing added.
  const elsewhere = await postGraphQL(t.app.url, eddie, document, { input: { name: a.name, version: '1.2.0', project: PUB, source: { sourceType: 'DISK', path: dir } } });
  expect(errorCode(elsewhere)).toBe('CONFLICT');
  expect(elsewhere.errors![0].extensions).toMatchObject({ field: 'project' });
});
