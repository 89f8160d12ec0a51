import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { type RunningDispatcher, startWebhookDispatcher } from '../../src/services/webhooks/webhook-dispatcher';
import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { spawnWorker } from '../support/child-worker';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Webhooks end to end: a real HTTP receiver, the real outbox, dispatcher and Temporal delivery workflows run by a
 * worker in its own process (so one test can kill it), signatures checked with the `standardwebhooks` package.
 * The dispatcher runs in this process (WEBHOOK_DISPATCH is off in other test files, which share the database).
 */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Per path, what the receiver answers to its n-th request (0-based); `hang` never answers. */
type Script = (n: number) => { status: number; body?: string; headers?: Record<string, string> } | 'hang';

let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
const scripts = new Map<string, Script>();
const hanging: http.ServerResponse[] = [];

let t: TestApp;
let dispatcher: RunningDispatcher;
const children: ChildProcess[] = [];
let worker: ChildProcess;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = received.filter((r) => r.path === path).length;
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const script: Script = scripts.get(path) ?? (() => ({ status: 204 }));
      const answer = script(n);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await startTestApp({
    env: {
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RETRY_BASE_MS: '300',
      WEBHOOK_RETRY_MAX_INTERVAL_MS: '600',
      // Long enough that a loaded machine's slow retries never disable the retry test's endpoint; the disabling test
      // moves its endpoint's failing_since back instead of waiting it out.
      WEBHOOK_DISABLE_AFTER_MS: '60000',
      WEBHOOK_ROTATION_WINDOW_MS: '600000',
    },
  });
  worker = await spawnWorker(t, children);
  dispatcher = startWebhookDispatcher(t.services.webhookDeliveries, t.env.DATABASE_URL, 200, pino({ level: 'silent' }));
}, 120_000);

afterAll(async () => {
  await dispatcher?.stop();
  for (const child of children) child.kill('SIGKILL');
  for (const res of hanging) res.destroy();
  await t?.stop();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const CREATE = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret endpoint { id project url events enabled description } } }`;
const DELIVERIES = `query($e: ID!, $first: Int, $after: String) { webhookDeliveries(endpointId: $e, first: $first, after: $after) {
  edges { cursor node { id eventId eventType state attempts lastStatus lastLatencyMs lastResponseExcerpt lastError nextRetryAt } } pageInfo { hasNextPage endCursor } } }`;

async function createWebhook(project: string, path: string, events: string[], as: { token?: string } = {}) {
  const res = await t.gql(CREATE, { i: { project, url: `${receiverUrl}${path}`, events, description: `test ${path}` } }, as);
  expect(res.errors).toBeUndefined();
  return res.data!.createWebhook as { secret: string; endpoint: { id: string; project: string; url: string; events: string[]; enabled: boolean } };
}

const at = (path: string) => received.filter((r) => r.path === path);
const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) });

async function deliveriesOf(endpointId: string) {
  const res = await t.gql(DELIVERIES, { e: endpointId, first: 50 });
  expect(res.errors).toBeUndefined();
  return res.data!.webhookDeliveries.edges.map((e: { node: Record<string, unknown> }) => e.node) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
}

test('a subscribed endpoint receives the project\'s events signed per Standard Webhooks, with the names a receiver needs; the secret is sealed and shown once', async () => {
  const project = uniqueName('hooks');
  const path = `/${uniqueName('events')}`;
  const { secret, endpoint } = await createWebhook(project, path, ['version.created']);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const [stored] = await t.dataSource.query(`SELECT secret_sealed FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
  expect(stored.secret_sealed).toMatch(/^sealed:v1:/);
  expect(stored.secret_sealed).not.toContain(secret.slice(6, 20));
  // Another project's version, and an event type it did not subscribe to, never reach it.
  const elsewhere = await registerModel(t, { project: uniqueName('other') });
  await createVersion(t, elsewhere.id, '1.0.0');
  const model = await registerModel(t, { project, license: 'MIT' });
  const version = await createVersion(t, model.id, '1.2.3');

  const [delivery] = await waitFor('the delivery', () => at(path).length > 0 && at(path));
  const payload = verify(secret, delivery) as { type: string; timestamp: string; data: Record<string, unknown> };
  expect(payload).toEqual({
    type: 'version.created',
    timestamp: expect.any(String),
    data: { project, modelId: model.id, modelName: model.name, versionId: version.id, version: '1.2.3', actor: 'editor-user' },
  });
  expect(delivery.headers['webhook-id']).toMatch(/^evt_[0-9a-f-]{36}$/);
  expect(() => verify(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`, delivery)).toThrow();
  await waitFor('the log to say SUCCEEDED', async () => (await deliveriesOf(endpoint.id))[0]?.state === 'SUCCEEDED');
  const [logged] = await deliveriesOf(endpoint.id);
  expect(logged).toMatchObject({ eventType: 'version.created', attempts: 1, lastStatus: 204, nextRetryAt: null, eventId: String(delivery.headers['webhook-id']).slice(4) });
  expect(at(path)).toHaveLength(1);
  // No field returns the secret again.
  const read = await t.gql(`query($id: ID!) { webhook(id: $id) { id url events enabled previousSecretUntil } }`, { id: endpoint.id });
  expect(JSON.stringify(read)).not.toContain(secret);
  expect(read.data!.webhook).toMatchObject({ id: endpoint.id, enabled: true, previousSecretUntil: null });
});

test('a 500 is retried with the same webhook-id and body; a redirect is not followed; manual redelivery sends it again', async () => {
  const project = uniqueName('hooks');
  const path = `/${uniqueName('flaky')}`;
  scripts.set(path, (n) => (n === 0 ? { status: 500, body: '<html><script>alert(1)</script>\u0000' + 'x'.repeat(2000) } : n === 1 ? { status: 302, headers: { location: 'http://169.254.169.254/' } } : { status: 200, body: 'ok' }));
  const { secret, endpoint } = await createWebhook(project, path, ['version.created']);
  const ping = await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id });
  const webhookId = ping.data!.pingWebhook as string;

  await waitFor('three attempts', () => at(path).length >= 3);
  const attempts = at(path);
  expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([webhookId, webhookId, webhookId]);
  expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
  for (const r of attempts) expect(verify(secret, r)).toMatchObject({ type: 'webhook.ping', data: { endpointId: endpoint.id, project } });
  const [done] = await waitFor('SUCCEEDED', async () => {
    const rows = await deliveriesOf(endpoint.id);
    return rows[0]?.state === 'SUCCEEDED' && rows;
  });
  expect(done).toMatchObject({ attempts: 3, lastStatus: 200, lastResponseExcerpt: 'ok', lastError: null });
  const tries = await t.dataSource.query(`SELECT attempt, status, excerpt, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt`, [done.id]);
  expect(tries.map((a: { status: number }) => a.status)).toEqual([500, 302, 200]);
  // The receiver's body is kept as a bounded, inert excerpt; the redirect was not followed.
  expect(tries[0].excerpt.length).toBeLessThanOrEqual(256);
  expect(tries[0].excerpt).not.toContain('\u0000');
  expect(tries[1].error).toBe('redirects are not followed');
  expect(received.some((r) => r.headers.host === '169.254.169.254')).toBe(false);

  const again = await t.gql(`mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id state } }`, { d: done.id });
  expect(again.errors).toBeUndefined();
  await waitFor('the redelivery', () => at(path).length >= 4);
  expect(at(path)[3].headers['webhook-id']).toBe(webhookId);
  await waitFor('SUCCEEDED again', async () => (await deliveriesOf(endpoint.id))[0]?.attempts === 4);
});

test('410 Gone disables the endpoint, with a webhook.disabled event to the project\'s other endpoints and an audit entry', async () => {
  const project = uniqueName('hooks');
  const gone = `/${uniqueName('gone')}`;
  const watcher = `/${uniqueName('watcher')}`;
  scripts.set(gone, () => ({ status: 410 }));
  const { endpoint } = await createWebhook(project, gone, ['version.created']);
  const watch = await createWebhook(project, watcher, ['webhook.disabled']);
  await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id });

  const [notice] = await waitFor('the webhook.disabled event', () => at(watcher).length > 0 && at(watcher));
  expect(verify(watch.secret, notice)).toMatchObject({ type: 'webhook.disabled', data: { project, endpointId: endpoint.id, reason: 'gone' } });
  expect(at(gone)).toHaveLength(1);
  const read = await t.gql(`query($id: ID!) { webhook(id: $id) { enabled disabledReason } }`, { id: endpoint.id });
  expect(read.data!.webhook).toEqual({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
  expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ state: 'FAILED', lastStatus: 410, attempts: 1 });
  const audit = await t.dataSource.query(`SELECT actor, project, reason FROM audit_log WHERE action = 'webhook.disabled' AND subject_id = $1`, [endpoint.id]);
  expect(audit).toEqual([{ actor: 'system:webhook-delivery', project, reason: 'the endpoint answered 410 Gone' }]);
  // A disabled endpoint gets nothing more; a ping says so.
  expect(errorCode(await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id }))).toBe('CONFLICT');
});

test('an endpoint failing for WEBHOOK_DISABLE_AFTER_MS is disabled; rotation sends both signatures during the window', async () => {
  const project = uniqueName('hooks');
  const down = `/${uniqueName('down')}`;
  scripts.set(down, () => ({ status: 503 }));
  const { endpoint } = await createWebhook(project, down, ['version.created']);
  await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id });
  await waitFor('the first failure on record', async () => (await t.dataSource.query(`SELECT 1 FROM webhook_endpoints WHERE id = $1 AND failing_since IS NOT NULL`, [endpoint.id])).length > 0);
  const [early] = await t.dataSource.query(`SELECT enabled FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
  expect(early.enabled).toBe(true);
  // As if it had been failing for two minutes (WEBHOOK_DISABLE_AFTER_MS is 60 s here): the next failure disables it.
  await t.dataSource.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '2 minutes' WHERE id = $1`, [endpoint.id]);
  await waitFor('disabled as failing', async () => (await t.gql(`query($id: ID!) { webhook(id: $id) { enabled } }`, { id: endpoint.id })).data!.webhook.enabled === false, 30_000);
  expect(at(down).length).toBeGreaterThanOrEqual(2);
  const [row] = await t.dataSource.query(`SELECT disabled_reason FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
  expect(row.disabled_reason).toMatch(/failed every delivery for 60 s/);

  const rotating = `/${uniqueName('rotating')}`;
  const created = await createWebhook(project, rotating, ['version.created']);
  const rotated = await t.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { previousSecretUntil } } }`, { id: created.endpoint.id });
  const fresh = rotated.data!.rotateWebhookSecret.secret as string;
  expect(fresh).not.toBe(created.secret);
  expect(rotated.data!.rotateWebhookSecret.endpoint.previousSecretUntil).not.toBeNull();
  await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: created.endpoint.id });
  const [delivery] = await waitFor('the ping', () => at(rotating).length > 0 && at(rotating));
  expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
  expect(verify(fresh, delivery)).toMatchObject({ type: 'webhook.ping' });
  expect(verify(created.secret, delivery)).toMatchObject({ type: 'webhook.ping' });
}, 60_000);

test('a worker killed mid-delivery: the delivery is made by the next worker, under the same webhook-id', async () => {
  const project = uniqueName('hooks');
  const path = `/${uniqueName('crash')}`;
  scripts.set(path, (n) => (n === 0 ? 'hang' : { status: 200 }));
  const { secret, endpoint } = await createWebhook(project, path, ['version.created']);
  await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id });
  await waitFor('the first attempt to arrive', () => at(path).length === 1);
  worker.kill('SIGKILL');
  hanging.splice(0).forEach((res) => res.destroy());
  worker = await spawnWorker(t, children);
  // The dead worker's attempt times out (WEBHOOK_TIMEOUT_MS + 15 s); its retry runs on the new worker.
  await waitFor('the retry', () => at(path).length >= 2, 60_000);
  const [first, second] = at(path);
  expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
  expect(verify(secret, second)).toEqual(verify(secret, first));
  await waitFor('SUCCEEDED', async () => (await deliveriesOf(endpoint.id))[0]?.state === 'SUCCEEDED');
}, 90_000);

test('outbound policy: private, metadata and credentialed URLs are refused at creation and update', async () => {
  const project = uniqueName('hooks');
  for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/hook', 'http://[::ffff:192.168.0.1]/x', 'ftp://example.com/x', 'http://user:pw@127.0.0.1/x']) {
    const res = await t.gql(CREATE, { i: { project, url, events: ['version.created'] } });
    expect([url, errorCode(res)]).toEqual([url, 'BAD_USER_INPUT']);
  }
  const unknownEvent = await t.gql(CREATE, { i: { project, url: `${receiverUrl}/x`, events: ['version.exploded'] } });
  expect(errorCode(unknownEvent)).toBe('BAD_USER_INPUT');
  const { endpoint } = await createWebhook(project, `/${uniqueName('ok')}`, ['version.created']);
  const moved = await t.gql(`mutation($id: ID!) { updateWebhook(id: $id, input: { url: "http://169.254.169.254/" }) { url } }`, { id: endpoint.id });
  expect(errorCode(moved)).toBe('BAD_USER_INPUT');
  const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE project = $1`, [project]);
  expect(row.n).toBe(1);
});

test('endpoints are their project\'s editors\' only: another project\'s caller gets NOT_FOUND for every field, a viewer of the project too', async () => {
  const project = uniqueName('hooks');
  const { endpoint } = await createWebhook(project, `/${uniqueName('mine')}`, ['version.created']);
  await t.gql(`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id });
  const [delivery] = await waitFor('a delivery', async () => {
    const rows = await deliveriesOf(endpoint.id);
    return rows[0]?.state === 'SUCCEEDED' && rows;
  });
  const other = await issueToken(t.config.auth, 'webhook-outsider', [], 3600, new Map([[uniqueName('elsewhere'), [Role.ADMIN]]]));
  const viewer = await issueToken(t.config.auth, 'vera', [], 3600, new Map([[project, [Role.VIEWER]]]));
  const editor = await issueToken(t.config.auth, 'eddie', [], 3600, new Map([[project, [Role.EDITOR]]]));
  const probes: [string, Record<string, unknown>][] = [
    [`query($id: ID!) { webhook(id: $id) { id } }`, { id: endpoint.id }],
    [DELIVERIES, { e: endpoint.id }],
    [`mutation($id: ID!) { updateWebhook(id: $id, input: { description: "mine" }) { id } }`, { id: endpoint.id }],
    [`mutation($id: ID!) { disableWebhook(id: $id) { id } }`, { id: endpoint.id }],
    [`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: endpoint.id }],
    [`mutation($id: ID!) { pingWebhook(id: $id) }`, { id: endpoint.id }],
    [`mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id } }`, { d: delivery.id }],
    [`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: endpoint.id }],
  ];
  for (const token of [other]) {
    for (const [query, variables] of probes) expect([query, errorCode(await t.gql(query, variables, { token }))]).toEqual([query, 'NOT_FOUND']);
    expect(errorCode(await t.gql(`query($p: String!) { webhooks(project: $p) { id } }`, { p: project }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(CREATE, { i: { project, url: `${receiverUrl}/x`, events: ['version.created'] } }, { token }))).toBe('NOT_FOUND');
  }
  // A viewer of the project reaches no field (the API refuses the role before the service); nothing changed.
  for (const [query, variables] of probes) expect(errorCode(await t.gql(query, variables, { token: viewer }))).toMatch(/^(NOT_FOUND|FORBIDDEN)$/);
  const [row] = await t.dataSource.query(`SELECT enabled, description FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
  expect(row).toEqual({ enabled: true, description: expect.stringMatching(/^test /) });
  // An editor granted the project manages it.
  const listed = await t.gql(`query($p: String!) { webhooks(project: $p) { id url } }`, { p: project }, { token: editor });
  expect(listed.data!.webhooks.map((w: { id: string }) => w.id)).toEqual([endpoint.id]);
  const page = await t.gql(DELIVERIES, { e: endpoint.id, first: 1 }, { token: editor });
  expect(page.data!.webhookDeliveries.edges).toHaveLength(1);
  expect((await t.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: endpoint.id }, { token: editor })).data).toEqual({ deleteWebhook: true });
  expect(errorCode(await t.gql(`query($id: ID!) { webhook(id: $id) { id } }`, { id: endpoint.id }, { token: editor }))).toBe('NOT_FOUND');
});
