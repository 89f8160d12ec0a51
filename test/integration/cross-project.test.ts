import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { type LiveResult, postGraphQL, wsSubscribe } from '../support/live-clients';
import { writeModelDir, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';
import { FIELD_PROBES, type Fixtures, ROUTE_PROBES } from './cross-project.probes';

/**
 * Isolation by construction, proven for the whole surface: every Query, Mutation and Subscription field of the
 * printed schema and every HTTP route of src/http has a probe below. A caller of project A (alice, admin there)
 * asks for project B's objects; the answer must be exactly the answer for ids and names that do not exist (ids and
 * names swapped for placeholders), and must not name B or its objects. A field or route without a probe fails, so
 * isolation cannot be forgotten.
 */
let t: TestApp;
let f: Fixtures;
let alice: string;
let storeRoot: string;

beforeAll(async () => {
  const tag = uniqueName('xp');
  storeRoot = path.join(os.tmpdir(), `${tag}-stores`);
  t = await startTestApp({ worker: true, env: { STORE_FS_ROOTS: storeRoot } });
  const a = `${tag}-a`;
  const b = `${tag}-b`;
  // Admin of A: every field's least role is held somewhere, so only the project of the object can refuse her.
  alice = `Bearer ${await issueToken(t.config.auth, `alice-${tag}`, [], 3600, new Map([[a, [Role.ADMIN]]]))}`;
  f = await buildFixtures(t, a, b, tag);
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await rm(storeRoot, { recursive: true, force: true });
});

/** Replaces every id and name of B and of the "unknown" twin with placeholders, so the two answers compare. */
function normalise(value: unknown, swaps: readonly [string, string][]): string {
  let text = JSON.stringify(value ?? null);
  for (const [from, to] of swaps) text = text.split(from).join(to);
  return text;
}

function swapsFor(fx: Fixtures): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(fx.b)) pairs.push([value, `<${key}>`], [fx.unknown[key as keyof Fixtures['b']], `<${key}>`]);
  // Longer first: a name may contain another value.
  return pairs.filter(([from]) => from.length > 0).sort((x, y) => y[0].length - x[0].length);
}

/** B's ids and names in an answer that the question did not carry (echoing what was asked reveals nothing). */
function leaks(value: unknown, fx: Fixtures, asked: string): string[] {
  const text = JSON.stringify(value ?? null);
  const wasAsked = (v: string) => asked.includes(v) || asked.includes(Buffer.from(v).toString('base64'));
  return Object.entries(fx.b).filter(([, v]) => v && text.includes(v) && !wasAsked(v)).map(([key]) => key);
}

async function schemaFields(): Promise<string[]> {
  const sdl = await readFile(path.join(__dirname, '../../schema/subgraph.graphql'), 'utf8');
  const fields: string[] = [];
  for (const root of ['Query', 'Mutation', 'Subscription']) {
    const body = new RegExp(`\\ntype ${root} \\{([\\s\\S]*?)\\n\\}`).exec(sdl)?.[1] ?? '';
    const withoutDocs = body.replace(/"""[\s\S]*?"""/g, '').replace(/"[^"\n]*"/g, '');
    // A field starts a line at two spaces of indentation; its arguments are indented further.
    for (const match of withoutDocs.matchAll(/\n {2}([A-Za-z_]\w*)\s*[(:]/g)) fields.push(`${root}.${match[1]}`);
  }
  return fields;
}

/** Every route of src/http: `router.<verb>('<path>'` in each routes file, under the prefix it is mounted at. */
async function httpRoutes(): Promise<string[]> {
  const root = path.join(__dirname, '../../src/http');
  const files = (await readdir(root, { recursive: true })).filter((file) => String(file).endsWith('.ts')).map((file) => path.join(root, String(file)));
  const sources = new Map(await Promise.all(files.map(async (file) => [file, await readFile(file, 'utf8')] as const)));
  const mounts = new Map<string, { prefix: string; parent: string }>();
  const owners = new Map<string, string>();
  for (const [file, source] of sources) {
    for (const m of source.matchAll(/export function (\w+Routes)\(/g)) owners.set(m[1], file);
    for (const m of source.matchAll(/\.use\('([^']+)',\s*(\w+Routes)\(/g)) mounts.set(m[2], { prefix: m[1], parent: file });
  }
  const prefixOf = (file: string): string => {
    const name = [...owners].find(([, owner]) => owner === file)?.[0];
    const mount = name ? mounts.get(name) : undefined;
    return mount ? prefixOf(mount.parent) + mount.prefix : '';
  };
  const routes: string[] = [];
  for (const [file, source] of sources) {
    for (const m of source.matchAll(/\b(?:router|app)\.(get|put|post|patch|delete|head|options)\('([^']+)'/g)) routes.push(`${m[1].toUpperCase()} ${`${prefixOf(file)}${m[2]}`.replace(/\/$/, '') || '/'}`);
  }
  return routes.sort();
}

test('every Query, Mutation and Subscription field has a cross-project probe', async () => {
  const missing = (await schemaFields()).filter((field) => !FIELD_PROBES.has(field));
  expect(missing).toEqual([]);
});

test('every HTTP route has a cross-project probe', async () => {
  const missing = (await httpRoutes()).filter((route) => !ROUTE_PROBES.has(route));
  expect(missing).toEqual([]);
});

describe.each([...FIELD_PROBES.entries()].filter(([, probe]) => probe.kind !== 'none'))('%s', (field, probe) => {
  test("answers for B's objects exactly as for ones that do not exist", async () => {
    if (probe.kind === 'none') return;
    const asked = JSON.stringify(probe.variables(f)) + probe.document;
    const run = async (ids: Fixtures['b']): Promise<LiveResult | LiveResult[]> => {
      const variables = probe.variables({ ...f, target: ids });
      if (field.startsWith('Subscription.')) return wsSubscribe(t.app.url, alice, probe.document, variables).done;
      return postGraphQL(t.app.url, alice, probe.document, variables);
    };
    const forB = await run(f.b);
    const forUnknown = await run(f.unknown);
    expect(leaks(forB, f, asked)).toEqual([]);
    if (probe.kind === 'same-as-unknown') {
      expect(normalise(forB, swapsFor(f))).toBe(normalise(forUnknown, swapsFor(f)));
      const first = Array.isArray(forB) ? forB[0] : forB;
      expect(first?.errors?.[0]?.extensions?.code).toBe(probe.code ?? 'NOT_FOUND');
    }
    if (probe.after) await probe.after(t, f);
  });
});

describe.each([...ROUTE_PROBES.entries()].filter(([, probe]) => probe.kind !== 'none'))('%s', (route, probe) => {
  test("answers 404 for B's objects, exactly as for ones that do not exist", async () => {
    if (probe.kind === 'none') return;
    const base = `http://127.0.0.1:${t.app.port}`;
    const call = async (ids: Fixtures['b']) => {
      const req = probe.request({ ...f, target: ids });
      const res = await fetch(base + req.path, { method: route.split(' ')[0], headers: { authorization: alice, ...req.headers }, body: req.body });
      const body = await res.text();
      return { status: res.status, errorCode: res.headers.get('x-error-code'), body };
    };
    const forB = await call(f.b);
    const forUnknown = await call(f.unknown);
    const req = probe.request(f);
    expect(leaks(forB.body, f, JSON.stringify(req))).toEqual([]);
    expect(forB.status).toBe(probe.status ?? 404);
    expect(normalise(forB, swapsFor(f))).toBe(normalise(forUnknown, swapsFor(f)));
  });
});

/** Project B with one of everything, made by global-role tokens; the unknown twin has the same shape. */
async function buildFixtures(app: TestApp, a: string, b: string, tag: string): Promise<Fixtures> {
  const ok = async (query: string, variables: Record<string, unknown>, as: Role = Role.ADMIN) => {
    const res = await app.gql(query, variables, { as });
    if (res.errors || !res.data) throw new Error(`fixture ${query.slice(0, 60)} failed: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  const own = await ok(`mutation($n: String!, $p: String) { registerModel(input: { name: $n, sourceType: CUSTOM, project: $p }) { id } }`, { n: `${tag}-own`, p: a }, Role.EDITOR);
  const dir = await writeModelDir(app);
  const imported = await ok(`mutation($i: ImportModelInput!) { importModel(input: $i) { id model { id name } version { id } } }`, {
    i: { name: `${tag}-secret`, project: b, version: '1.0.0', license: 'apache-2.0', source: { sourceType: 'DISK', path: dir } },
  }, Role.EDITOR);
  const op = await waitForOperation(app, imported.importModel.id);
  if (op.status !== 'SUCCEEDED') throw new Error(`fixture import did not succeed: ${JSON.stringify(op)}`);
  const modelId: string = imported.importModel.model.id;
  const versionId: string = imported.importModel.version.id;
  const draft = await ok(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "2.0.0" }) { id } }`, { m: modelId }, Role.EDITOR);
  const benchmark = await ok(`mutation($v: ID!) { recordBenchmark(input: { versionId: $v, hardwareProfile: "${tag}", ttftP50Ms: 10 }) { id } }`, { v: versionId }, Role.EDITOR);
  await ok(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "${tag}", score: 0.5 }) { id } }`, { v: versionId }, Role.EDITOR);
  await ok(`mutation($m: ID!, $v: ID!) { setAlias(modelId: $m, name: "staging", versionId: $v) { name } }`, { m: modelId, v: versionId }, Role.APPROVER);
  await ok(`mutation($p: String!) { configureProject(input: { id: $p, targets: [{ target: EVALUATED, gates: [APPROVALS], requiredApprovals: 1 }] }) { id } }`, { p: b });
  const request = await ok(`mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "xp") { id state } }`, { v: versionId }, Role.EDITOR);
  const cache = await ok(`mutation($v: ID!) { createLocalCache(versionId: $v) { id } }`, { v: versionId }, Role.EDITOR);
  const upload = await fetch(`http://127.0.0.1:${app.app.port}/files/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await app.token(Role.EDITOR)}`,
      'tus-resumable': '1.0.0',
      'upload-length': '4',
      'upload-metadata': `versionId ${Buffer.from(draft.createVersion.id).toString('base64')},path ${Buffer.from('w.bin').toString('base64')}`,
    },
  });
  if (upload.status !== 201) throw new Error(`fixture tus upload answered ${upload.status}: ${await upload.text()}`);
  const uploadId = (upload.headers.get('location') ?? '').split('/').pop() ?? '';
  const deployment = await ok(`mutation($v: ID!) { recordDeployment(input: { versionId: $v, environment: "prod", endpoint: "https://${tag}.example/v1" }) { id } }`, { v: versionId }, Role.EDITOR);
  await mkdir(storeRoot, { recursive: true });
  const store = await ok(`mutation($p: String!, $path: String!) { createStore(input: { project: $p, name: "xp-disk", kind: FILESYSTEM, path: $path }) { id } }`, { p: b, path: path.join(storeRoot, tag) });
  // A direct upload of B's draft as the service records one (the S3 side is never reached by the probes).
  const [direct] = (await app.dataSource.query(
    `INSERT INTO direct_uploads (store_id, version_id, path, sha256, size, s3_upload_id, object_key, created_by, expires_at)
     VALUES ($1, $2, 'big.bin', $3, 10, 'none', 'direct-uploads/none', 'fixture', now() + interval '1 hour') RETURNING id`,
    [store.createStore.id, draft.createVersion.id, '0'.repeat(64)],
  )) as { id: string }[];
  // A webhook of B with one finished delivery (no dispatcher runs here: the row is written as it would be).
  const hook = await ok(`mutation($p: String!) { createWebhook(input: { project: $p, url: "http://127.0.0.1:9/hook", events: ["version.created"] }) { endpoint { id } } }`, { p: b }, Role.EDITOR);
  const webhookId = hook.createWebhook.endpoint.id as string;
  await ok(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: webhookId }, Role.EDITOR);
  const [delivery] = (await app.dataSource.query(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, state, attempts, last_status)
     SELECT $1::uuid, id, 'FAILED', 1, 500 FROM event_outbox WHERE type = 'webhook.ping' AND data->>'endpointId' = $2 RETURNING id`,
    [webhookId, webhookId],
  )) as { id: string }[];
  const b_ = {
    project: b,
    modelId,
    modelName: imported.importModel.model.name as string,
    versionId,
    draftVersionId: draft.createVersion.id as string,
    operationId: imported.importModel.id as string,
    benchmarkId: benchmark.recordBenchmark.id as string,
    requestId: request.requestPromotion.id as string,
    cacheId: cache.createLocalCache.id as string,
    uploadId,
    deploymentId: deployment.recordDeployment.id as string,
    storeId: store.createStore.id as string,
    directUploadId: direct.id,
    webhookId,
    webhookDeliveryId: delivery.id,
  };
  const unknown = {
    project: `${tag}-nowhere`,
    modelId: randomUUID(),
    modelName: `${tag}-nothing-here`,
    versionId: randomUUID(),
    draftVersionId: randomUUID(),
    operationId: randomUUID(),
    benchmarkId: randomUUID(),
    requestId: randomUUID(),
    cacheId: randomUUID(),
    uploadId: randomBytes(16).toString('hex'),
    deploymentId: randomUUID(),
    storeId: randomUUID(),
    directUploadId: randomUUID(),
    webhookId: randomUUID(),
    webhookDeliveryId: randomUUID(),
  };
  return { a, ownModelId: own.registerModel.id, b: b_, unknown, target: b_ };
}
