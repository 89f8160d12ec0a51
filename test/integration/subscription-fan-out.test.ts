import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { type LiveResult, type LiveSubscription, postGraphQL, wsSubscribe } from '../support/live-clients';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Subscriptions fan out once per event: subscribers of one document, variables and caller scope share one execution
 * of each event; each has a bounded queue, so a socket that stops reading neither delays the others nor grows the
 * API's memory, and gets the newest state when it reads again. Events come from the real path: the operation row
 * is updated and NOTIFYed by OperationService.update, the API LISTENs, reads it and fans it out.
 */
const QUEUE_LIMIT = 4;
let t: TestApp;
let viewer: string;

beforeAll(async () => {
  t = await startTestApp({ env: { SUBSCRIBER_QUEUE_LIMIT: String(QUEUE_LIMIT) } });
  viewer = `Bearer ${await t.token(Role.VIEWER)}`;
});

afterAll(async () => {
  await t.stop();
});

const PROGRESS = `subscription($id: ID!) { operationProgress(id: $id) { id sequence message model { name project } } }`;

/** An open IMPORT operation (no worker runs in this app, so only the updates below change it). */
async function openOperation(project?: string, as?: string): Promise<{ operationId: string; modelId: string; sequence: number }> {
  const imported = await postGraphQL(
    t.app.url,
    as ?? `Bearer ${await t.token(Role.EDITOR)}`,
    `mutation($n: String!, $p: String) { importModel(input: { name: $n, project: $p, source: { sourceType: URL, url: "http://127.0.0.1:9/w.dat" } }) { id sequence model { id } } }`,
    { n: uniqueName('fan'), p: project ?? null },
  );
  expect(imported.errors).toBeUndefined();
  return { operationId: imported.data!.importModel.id, modelId: imported.data!.importModel.model.id, sequence: imported.data!.importModel.sequence };
}

const sequenceOf = (e: LiveResult): number | undefined => e.data?.operationProgress?.sequence;
const sequences = (s: LiveSubscription) => s.events.map(sequenceOf);
const codeOf = (result: LiveResult | undefined) => result?.errors?.[0]?.extensions?.code;

/** The row changes and is NOTIFYed as a worker's progress report does it; answers the new sequence. */
async function update(operationId: string, message: string): Promise<number> {
  const updated = await t.services.operations.update(operationId, { message });
  return updated!.sequence;
}

/** Statements of the nested `model` field's loader (ModelQueryService.byIds): one per execution of the document. */
const modelReads = () => t.queries.statements.filter((sql) => /FROM "models" "m" WHERE "m"\."id" IN \(/.test(sql)).length;

test('N subscribers of one operation get all 20 events in order with one execution per event, not N', async () => {
  const { operationId, sequence: start } = await openOperation();
  const N = 6;
  const subs = Array.from({ length: N }, () => wsSubscribe(t.app.url, viewer, PROGRESS, { id: operationId }));
  await Promise.all(subs.map((s) => s.until((e) => sequenceOf(e) === start, 20_000)));
  const before = t.app.subscriptions();
  t.queries.reset();

  const sent: number[] = [];
  for (let i = 0; i < 20; i++) {
    const sequence = await update(operationId, `step ${i}`);
    sent.push(sequence);
    // Each event reaches every subscriber before the next is written: a subscriber that keeps up.
    await Promise.all(subs.map((s) => s.until((e) => sequenceOf(e) === sequence, 20_000)));
  }
  const after = t.app.subscriptions();
  for (const s of subs) expect(sequences(s)).toEqual([start, ...sent]);
  expect(after.executions - before.executions).toBe(20); // was N × 20 = 120: one execute per subscriber per event
  expect(modelReads()).toBe(20);
  expect(after.dropped - before.dropped).toBe(0);
  expect(after.groups).toBeGreaterThanOrEqual(1);
  const exported = await (await fetch(`http://127.0.0.1:${t.app.port}/metrics`)).text();
  expect(Number(/^modelhub_subscription_executions_total (\d+)/m.exec(exported)?.[1])).toBeGreaterThanOrEqual(after.executions);
  for (const s of subs) s.close();
});

/** A graphql-ws client over a raw `ws` socket whose reading can be paused (its kernel buffer then fills). */
async function rawSubscriber(query: string, variables: Record<string, unknown>) {
  const socket = new WebSocket(t.app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const results: LiveResult[] = [];
  let complete = false;
  const waiters: (() => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; payload?: LiveResult };
    if (message.type === 'next' && message.payload) results.push(message.payload);
    if (message.type === 'complete') complete = true;
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let acknowledged = false;
  socket.on('message', (data: Buffer) => {
    if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') acknowledged = true;
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: viewer } }));
  const until = async (predicate: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`raw subscriber: condition not met in ${timeoutMs} ms; got ${results.length} results`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  await until(() => acknowledged, 20_000);
  socket.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query, variables } }));
  return { socket, results, until, complete: () => complete };
}

test('a subscriber whose socket stops reading delays no one, its queue stays capped, and it gets the newest state when it reads again', async () => {
  const { operationId, sequence: start } = await openOperation();
  const fast = [wsSubscribe(t.app.url, viewer, PROGRESS, { id: operationId }), wsSubscribe(t.app.url, viewer, PROGRESS, { id: operationId })];
  const slow = await rawSubscriber(PROGRESS, { id: operationId });
  await Promise.all(fast.map((s) => s.until((e) => sequenceOf(e) === start, 20_000)));
  await slow.until(() => slow.results.some((r) => sequenceOf(r) === start), 20_000);
  slow.socket.pause();
  const before = t.app.subscriptions();

  // ~9 MB for the paused socket: more than loopback's kernel buffers take (~4 MB here), so its sends stop completing.
  const padding = 'x'.repeat(300_000);
  const messageBytes = padding.length + 200;
  const sent: number[] = [];
  for (let i = 0; i < 30; i++) {
    const sequence = await update(operationId, `${i} ${padding}`);
    sent.push(sequence);
    // The others get each event while the slow one reads nothing: it holds no one back.
    await Promise.all(fast.map((s) => s.until((e) => sequenceOf(e) === sequence, 20_000)));
  }
  const during = t.app.subscriptions();
  for (const s of fast) expect(sequences(s)).toEqual([start, ...sent]);
  expect(during.stalled).toBeGreaterThanOrEqual(1);
  expect(during.dropped - before.dropped).toBeGreaterThan(0);
  expect(during.deepestQueue).toBeLessThanOrEqual(QUEUE_LIMIT);
  // What the API holds unwritten for a socket is at most the one message being written (graphql-ws awaits each send).
  expect(during.maxBufferedBytes).toBeLessThan(2 * messageBytes);

  slow.socket.resume();
  const last = sent.at(-1)!;
  await slow.until(() => slow.results.some((r) => sequenceOf(r) === last), 30_000);
  const got = slow.results.map(sequenceOf) as number[];
  expect(got.at(-1)).toBe(last); // the newest state arrives, and last
  expect(got.length).toBeLessThan(sent.length + 1); // some intermediate states were coalesced away
  expect(got).toEqual([...got].sort((a, b) => a - b)); // in order, no repeats
  expect(new Set(got).size).toBe(got.length);
  expect(t.app.subscriptions().stalled).toBe(0);
  slow.socket.close();
  for (const s of fast) s.close();
});

test("another project's reader never shares an execution, and a subscriber that loses access is cut off with NOT_FOUND while its scope's twins are", async () => {
  const tag = uniqueName('fanscope');
  const [pub, vision, secret] = [`${tag}-pub`, `${tag}-vision`, `${tag}-secret`];
  const admin = await t.token(Role.ADMIN, 'root');
  expect((await t.gql(`mutation($p: String!) { configureProject(input: { id: $p, public: true }) { id } }`, { p: pub }, { token: admin })).errors).toBeUndefined();
  const grant = async (subject: string, project: string) => `Bearer ${await issueToken(t.config.auth, subject, [], 3600, new Map([[project, [Role.EDITOR]]]))}`;
  const owner = await grant('owner', pub);
  const { operationId, modelId, sequence: start } = await openOperation(pub, owner);
  // alice and alice2 hold the same grants (one scope); bob and bob2 another project's; all read the public project.
  const alices = [wsSubscribe(t.app.url, await grant('alice', vision), PROGRESS, { id: operationId }), wsSubscribe(t.app.url, await grant('alice2', vision), PROGRESS, { id: operationId })];
  const bobs = [wsSubscribe(t.app.url, await grant('bob', secret), PROGRESS, { id: operationId }), wsSubscribe(t.app.url, await grant('bob2', secret), PROGRESS, { id: operationId })];
  await Promise.all([...alices, ...bobs].map((s) => s.until((e) => sequenceOf(e) === start, 20_000)));

  const before = t.app.subscriptions();
  const first = await update(operationId, 'in the public project');
  await Promise.all([...alices, ...bobs].map((s) => s.until((e) => sequenceOf(e) === first, 20_000)));
  expect(t.app.subscriptions().executions - before.executions).toBe(2); // one per scope, never one for all four

  // The model moves into alice's project: bob's scope can no longer read it.
  const moved = await t.gql(`mutation($id: ID!, $p: String) { updateModel(id: $id, input: { project: $p }) { project } }`, { id: modelId, p: vision }, { token: admin });
  expect(moved.errors).toBeUndefined();
  await new Promise((resolve) => setTimeout(resolve, 2_200)); // past the re-check interval
  const checks = t.app.subscriptions().accessChecks;
  const second = await update(operationId, 'VISION-ONLY after the move');
  for (const s of alices) {
    const got = await s.until((e) => sequenceOf(e) === second, 20_000);
    expect(got.data!.operationProgress.model.project).toBe(vision);
  }
  for (const s of bobs) {
    const all = await s.done;
    expect(codeOf(all.at(-1))).toBe('NOT_FOUND');
    expect(JSON.stringify(all)).not.toContain('VISION-ONLY');
    expect(JSON.stringify(all)).not.toContain(vision);
  }
  expect(t.app.subscriptions().accessChecks - checks).toBe(2); // one re-check per scope, shared by its twins
  for (const s of alices) s.close();
});
