import { randomUUID } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { OperationKind } from '../../src/domain/onboarding/operation';
import { issueToken } from '../../src/services/auth-tokens';
import { buildSubgraph } from '../../src/graphql/schema';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, modelCard, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { type HiveGateway, startHiveGateway } from '../support/hive-gateway';
import { type LiveResult, type LiveSubscription, postGraphQL, sseSubscribe, wsSubscribe } from '../support/live-clients';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * What a front end sees through Hive Gateway (the configuration the README documents), on every transport:
 * HTTP for queries and mutations, graphql-ws and SSE for subscriptions.
 */
let hub: HubServer;
let t: TestApp;
let gateway: HiveGateway;

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_test_token' } });
  const { sdl } = await buildSubgraph();
  gateway = await startHiveGateway(sdl, t.app.url);
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await t?.stop();
  await hub?.close();
});

const bearer = async (role: Role = Role.VIEWER) => `Bearer ${await t.token(role)}`;
const codeOf = (result: LiveResult | undefined) => result?.errors?.[0]?.extensions?.code;
const PROGRESS = `subscription($id: ID!) { operationProgress(id: $id) {
  id status sequence progress bytesDone model { id status } version { id status } } }`;

type Transport = 'graphql-ws' | 'sse';
const subscribeVia = (transport: Transport, authorization: string | null, query: string, variables: Record<string, unknown>): LiveSubscription =>
  transport === 'sse' ? sseSubscribe(gateway.url, authorization, query, variables) : wsSubscribe(gateway.url, authorization, query, variables);

test('a mutation and a query with the token pass through the gateway', async () => {
  const name = uniqueName('gw');
  const created = await postGraphQL(gateway.url, await bearer(Role.EDITOR), `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id name } }`, {
    input: { name, sourceType: 'HUGGING_FACE' },
  });
  expect(created.errors).toBeUndefined();
  const id = created.data!.registerModel.id;
  const read = await postGraphQL(gateway.url, await bearer(), `query($id: ID!) { model(id: $id) { id name status } }`, { id });
  expect(read).toEqual({ data: { model: { id, name, status: 'DRAFT' } } });
});

test('UNAUTHENTICATED, NOT_FOUND and BAD_USER_INPUT keep their codes over HTTP, graphql-ws and SSE', async () => {
  const model = await postGraphQL(gateway.url, await bearer(Role.EDITOR), `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
    input: { name: uniqueName('gw'), sourceType: 'HUGGING_FACE' },
  });
  const modelId = model.data!.registerModel.id;
  const query = `query($id: ID!) { model(id: $id) { id } }`;
  expect(codeOf(await postGraphQL(gateway.url, null, query, { id: modelId }))).toBe('UNAUTHENTICATED');
  expect(codeOf(await postGraphQL(gateway.url, await bearer(), query, { id: randomUUID() }))).toBe('NOT_FOUND');

  const events = `subscription($m: ID!) { modelEvents(modelId: $m) { type } }`;
  for (const transport of ['graphql-ws', 'sse'] as const) {
    const anonymous = await subscribeVia(transport, null, events, { m: modelId }).done;
    expect({ transport, code: codeOf(anonymous[0]), message: anonymous[0]?.errors?.[0]?.message }).toEqual({
      transport,
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('Authentication required'),
    });
    const unknown = await subscribeVia(transport, await bearer(), PROGRESS, { id: randomUUID() }).done;
    expect({ transport, code: codeOf(unknown[0]) }).toEqual({ transport, code: 'NOT_FOUND' });
    const malformed = await subscribeVia(transport, await bearer(), PROGRESS, { id: 'not-a-uuid' }).done;
    expect({ transport, code: codeOf(malformed[0]) }).toEqual({ transport, code: 'BAD_USER_INPUT' });
  }
});

test('a bad token is answered with UNAUTHENTICATED within a few seconds on every transport', async () => {
  const forged = 'Bearer forged';
  const started = Date.now();
  const http = await postGraphQL(gateway.url, forged, `{ licenses { id } }`);
  const httpMs = Date.now() - started;
  expect(codeOf(http)).toBe('UNAUTHENTICATED');
  const timings: Record<string, number> = { http: httpMs };
  for (const transport of ['graphql-ws', 'sse'] as const) {
    const sub = subscribeVia(transport, forged, PROGRESS, { id: randomUUID() });
    const results = await sub.done;
    timings[transport] = await sub.firstAnswerMs;
    expect({ transport, error: results[0]?.errors?.[0] }).toEqual({
      transport,
      error: expect.objectContaining({ message: 'The access token is not valid', extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    });
  }
  for (const ms of Object.values(timings)) expect(ms).toBeLessThan(3_000);
  console.info(`bad token answered through Hive Gateway in ms: ${JSON.stringify(timings)}`);
});

test('a token that expires during a subscription ends it with UNAUTHENTICATED through the gateway', async () => {
  const model = await postGraphQL(gateway.url, await bearer(Role.EDITOR), `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
    input: { name: uniqueName('gw'), sourceType: 'HUGGING_FACE' },
  });
  const op = await t.dataSource.transaction((manager) =>
    t.services.operations.create(manager, {
      kind: OperationKind.IMPORT,
      modelId: model.data!.registerModel.id,
      versionId: null,
      workflowId: `test:${randomUUID()}`,
      input: {},
      createdBy: 'gateway-test',
    }),
  );
  const shortLived = `Bearer ${await issueToken(t.config.auth, 'short-lived-viewer', [Role.VIEWER], 3)}`;
  const query = `subscription($id: ID!) { operationProgress(id: $id) { status } }`;
  const subs = (['graphql-ws', 'sse'] as const).map((transport) => [transport, subscribeVia(transport, shortLived, query, { id: op.id }).done] as const);
  for (const [transport, done] of subs) {
    const results = await done;
    expect({ transport, first: results[0]?.data, last: results.at(-1)?.errors?.[0] }).toEqual({
      transport,
      first: { operationProgress: { status: 'PENDING' } },
      last: expect.objectContaining({ message: expect.stringContaining('expired'), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    });
  }
});

function llamaRepo() {
  const tensors = tinyLlamaTensors(128, 512, 4);
  return {
    files: {
      'config.json': llamaConfig(),
      'README.md': modelCard({ license: 'mit', pipeline_tag: 'text-generation' }),
      'model-00001-of-00002.safetensors': safetensors(tensors.slice(0, 9)),
      'model-00002-of-00002.safetensors': safetensors(tensors.slice(9)),
    },
    // Slow enough that the import reports progress several times while the subscriptions watch.
    throttle: { chunk: 16 * 1024, delayMs: 10 },
  };
}

const progressOf = (events: LiveResult[]) => events.map((e) => e.data!.operationProgress as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field

test('an import streams to graphql-ws and SSE subscribers through the gateway in order, ending SUCCEEDED with fresh nested data', async () => {
  const repoId = `gw-test/${uniqueName('llama')}`;
  hub.repos.set(repoId, llamaRepo());
  const started = await postGraphQL(gateway.url, await bearer(Role.EDITOR), `mutation($input: ImportModelInput!) { importModel(input: $input) { id status } }`, {
    input: { name: uniqueName('gw-llama'), source: { sourceType: 'HUGGING_FACE', repoId, revision: 'main' } },
  });
  expect(started.errors).toBeUndefined();
  const id = started.data!.importModel.id;
  const direct = wsSubscribe(t.app.url, await bearer(), PROGRESS, { id });
  const viaWs = subscribeVia('graphql-ws', await bearer(), PROGRESS, { id });
  const viaSse = subscribeVia('sse', await bearer(), PROGRESS, { id });
  const [directEvents, wsEvents, sseEvents] = (await Promise.all([direct.done, viaWs.done, viaSse.done])).map(progressOf);

  for (const events of [directEvents, wsEvents, sseEvents]) {
    const sequences = events.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(events.at(-1)!.status).toBe('SUCCEEDED');
  }
  // Once all three were listening, each saw the same events: the gateway lost or reordered nothing.
  const from = Math.max(...[directEvents, wsEvents, sseEvents].map((events) => events[0].sequence));
  const after = (events: Record<string, unknown>[]) => events.filter((e) => (e.sequence as number) > from).map((e) => [e.sequence, e.status, e.bytesDone]);
  expect(after(wsEvents)).toEqual(after(directEvents));
  expect(after(sseEvents)).toEqual(after(directEvents));
  expect(after(directEvents).length).toBeGreaterThan(0);

  // The last event's nested fields are what a query reads afterwards, not what they were when subscribing.
  const last = wsEvents.at(-1)!;
  const fresh = await postGraphQL(gateway.url, await bearer(), `query($id: ID!) { operation(id: $id) { model { id status } version { id status } } }`, { id });
  expect({ model: last.model, version: last.version }).toEqual(fresh.data!.operation);
  expect(sseEvents.at(-1)).toMatchObject({ model: last.model, version: last.version });
  expect(last.version.status).not.toBe('INGESTING');
  console.info(`import events through the gateway: ws ${wsEvents.length}, SSE ${sseEvents.length}, direct ${directEvents.length}`);
});
