import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import { OperationKind, OperationStatus } from '../../src/domain/onboarding/operation';
import { issueToken } from '../../src/services/auth-tokens';
import { registerModel } from '../support/catalog-fixtures';
import { type LiveResult, wsSubscribe } from '../support/live-clients';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Subscriptions straight to the subgraph, with operations written through the service (no workflow needed):
 * what NOTIFY carries, how refusals and expiry reach a client, and nested data per event.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const PROGRESS = `subscription($id: ID!) { operationProgress(id: $id) { id status sequence message errorMessage model { id description } } }`;

async function liveOperation(modelId: string) {
  return t.dataSource.transaction((manager) =>
    t.services.operations.create(manager, {
      kind: OperationKind.IMPORT,
      modelId,
      versionId: null,
      workflowId: `test:${randomUUID()}`,
      input: {},
      createdBy: 'live-events-test',
    }),
  );
}

async function bearer(role: Role = Role.VIEWER) {
  return `Bearer ${await t.token(role)}`;
}

const codeOf = (result: LiveResult | undefined) => result?.errors?.[0]?.extensions?.code;

test('an update with a 20 kB message and error text reaches subscribers (NOTIFY carries only ids)', async () => {
  const model = await registerModel(t);
  const op = await liveOperation(model.id);
  const progress = wsSubscribe(t.app.url, await bearer(), PROGRESS, { id: op.id });
  const events = wsSubscribe(t.app.url, await bearer(), `subscription($m: ID!) { modelEvents(modelId: $m) { type operation { id sequence errorMessage } } }`, { m: model.id });
  await progress.until((e) => e.data?.operationProgress.sequence === 0);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the model subscription has no snapshot to wait for

  const message = 'm'.repeat(20_000);
  const errorMessage = `${'e'.repeat(19_990)}-the-end`;
  await t.services.operations.update(op.id, { status: OperationStatus.RUNNING, message });
  await t.services.operations.update(op.id, { status: OperationStatus.FAILED, errorCode: 'TEST', errorMessage });

  const received = (await progress.done).map((e) => e.data!.operationProgress);
  // Updates that land before the listener reads the row merge into the newer one: sequences only grow and
  // the last event is the final row, whole.
  const sequences = received.map((e) => e.sequence as number);
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  expect(received[0]).toMatchObject({ status: 'PENDING', sequence: 0 });
  expect(received.at(-1)).toMatchObject({ status: 'FAILED', sequence: 2, message, errorMessage });
  const last = await events.until((e) => e.data?.modelEvents.operation?.sequence === 2);
  expect(last.data!.modelEvents.operation.errorMessage).toBe(errorMessage);
  events.close();
});

test('subscription refusals come back as results with their codes, and only that subscription ends', async () => {
  const model = await registerModel(t);
  const op = await liveOperation(model.id);
  const cases: [string, string | null, string, Record<string, unknown>, string][] = [
    ['no token', null, PROGRESS, { id: op.id }, 'UNAUTHENTICATED'],
    ['forged token', 'Bearer forged', PROGRESS, { id: op.id }, 'UNAUTHENTICATED'],
    ['unknown operation', await bearer(), PROGRESS, { id: randomUUID() }, 'NOT_FOUND'],
    ['malformed id', await bearer(), PROGRESS, { id: 'nope' }, 'BAD_USER_INPUT'],
    ['unknown model', await bearer(), `subscription($m: ID!) { modelEvents(modelId: $m) { type } }`, { m: randomUUID() }, 'NOT_FOUND'],
  ];
  for (const [label, authorization, query, variables, code] of cases) {
    const sub = wsSubscribe(t.app.url, authorization, query, variables);
    const results = await sub.done; // a result, then complete: never a socket close or a bare `error`
    expect({ label, code: codeOf(results[0]), count: results.length }).toEqual({ label, code, count: 1 });
  }

  // On one connection: the refused subscription ends, the other one goes on streaming.
  const client = createClient({ url: t.app.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: await bearer() }, retryAttempts: 0 });
  try {
    const refused = new Promise<LiveResult[]>((resolve, reject) => {
      const got: LiveResult[] = [];
      client.subscribe({ query: PROGRESS, variables: { id: randomUUID() } }, { next: (v) => got.push(v as LiveResult), error: reject, complete: () => resolve(got) });
    });
    const live: LiveResult[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      client.subscribe({ query: PROGRESS, variables: { id: op.id } }, { next: (v) => live.push(v as LiveResult), error: reject, complete: resolve });
    });
    expect(codeOf((await refused)[0])).toBe('NOT_FOUND');
    await t.services.operations.update(op.id, { status: OperationStatus.SUCCEEDED, progress: 1 });
    await finished;
    expect(live.map((e) => e.data!.operationProgress.status)).toEqual(['PENDING', 'SUCCEEDED']);
  } finally {
    await client.dispose();
  }
});

test('a token that expires during a subscription ends it with UNAUTHENTICATED', async () => {
  const model = await registerModel(t);
  const op = await liveOperation(model.id);
  const shortLived = await issueToken(t.config.auth, 'short-lived-viewer', [Role.VIEWER], 2);
  const started = Date.now();
  const sub = wsSubscribe(t.app.url, `Bearer ${shortLived}`, PROGRESS, { id: op.id });
  const results = await sub.done;
  const elapsed = Date.now() - started;
  expect(results[0].data!.operationProgress.status).toBe('PENDING');
  expect(results.at(-1)!.errors?.[0]).toMatchObject({ message: expect.stringContaining('expired'), extensions: { code: 'UNAUTHENTICATED' } });
  expect(elapsed).toBeGreaterThan(900);
  expect(elapsed).toBeLessThan(4_000);
});

test('nested fields are read for each event, not once per subscription', async () => {
  const model = await registerModel(t, { description: 'before' });
  const op = await liveOperation(model.id);
  const sub = wsSubscribe(t.app.url, await bearer(), PROGRESS, { id: op.id });
  await sub.until((e) => e.data?.operationProgress.sequence === 0);
  const updated = await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { description: "after" }) { id } }`, { id: model.id });
  expect(updated.errors).toBeUndefined();
  await t.services.operations.update(op.id, { status: OperationStatus.SUCCEEDED, progress: 1 });
  const received = (await sub.done).map((e) => e.data!.operationProgress.model.description);
  expect(received).toEqual(['before', 'after']);
});
