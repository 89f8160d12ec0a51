import net from 'node:net';
import { Role } from '../../src/domain/auth/roles';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { freePort } from '../support/free-port';
import { importModel, OPERATION_FIELDS, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

// The hub the worker is pointed at: a loopback port nothing listens on (connections refused) until a test
// forwards it to the fixture hub — the hub "comes back".
let hubPort: number;
let hub: HubServer;
let t: TestApp;
const BUDGET_MS = 5000;

beforeAll(async () => {
  hubPort = await freePort();
  hub = await startHubServer();
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: `http://127.0.0.1:${hubPort}`, EXTERNAL_SOURCE_RETRY_BUDGET_MS: String(BUDGET_MS) } });
});
afterAll(async () => {
  await t?.stop();
  await hub?.close();
});

type Operation = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field

async function operation(id: string): Promise<Operation> {
  const res = await t.gql(`query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} version { status statusReason } } }`, { id }, { as: Role.VIEWER });
  return res.data!.operation;
}

/** Polls until the operation shows a failed attempt at the hub while it is still running. */
async function firstVisibleFailure(id: string): Promise<Operation> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const op = await operation(id);
    if (op.status === 'RUNNING' && op.errorCode === 'SOURCE_UNREACHABLE') return op;
    if (op.status !== 'PENDING' && op.status !== 'RUNNING') throw new Error(`ended before a failure was shown: ${JSON.stringify(op)}`);
    if (Date.now() > deadline) throw new Error(`no failure shown: ${JSON.stringify(op)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Forwards the refused port to the fixture hub. */
async function hubComesBack(): Promise<net.Server> {
  const target = new URL(hub.url);
  const forwarder = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => forwarder.once('error', reject).listen(hubPort, '127.0.0.1', resolve));
  return forwarder;
}

function hubImport(repoId: string) {
  return importModel(t, { name: uniqueName('unreachable'), source: { sourceType: 'HUGGING_FACE', repoId, revision: 'main' } });
}

test('an import from a hub that refuses connections shows each failure while it retries, then FAILS with the cause within its budget', async () => {
  const started = await hubImport(`acme/${uniqueName('gone')}`);
  expect(started.errors).toBeUndefined();
  const { id } = started.data!.importModel;
  const startedAt = Date.now();

  const retrying = await firstVisibleFailure(id);
  const refused = `ECONNREFUSED 127.0.0.1:${hubPort}`;
  expect(retrying.currentStep).toBe('listing files');
  expect(retrying.errorMessage).toContain(`http://127.0.0.1:${hubPort}: fetch failed`);
  expect(retrying.errorMessage).toContain(refused);
  expect(retrying.message).toMatch(new RegExp(`fetch failed: .*${refused} \\(attempt \\d+, next retry at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`));

  const ended = await waitForOperation(t, id, 60_000);
  const elapsed = Date.now() - startedAt;
  expect(ended).toMatchObject({ status: 'FAILED', errorCode: 'SOURCE_UNREACHABLE' });
  expect(ended.errorMessage).toContain(refused);
  expect(ended.errorMessage).toMatch(/unreachable for \d+ s, \d+ attempts\)$/);
  expect(elapsed).toBeLessThan(BUDGET_MS + 15_000);
  const settled = await operation(id);
  expect(settled.version).toMatchObject({ status: 'NEEDS_ATTENTION', statusReason: expect.stringContaining(refused) });
});

test('an import whose hub comes back within the budget clears the failure and succeeds', async () => {
  const repoId = `acme/${uniqueName('back')}`;
  hub.repos.set(repoId, { files: { 'config.json': llamaConfig(), 'model.safetensors': safetensors(tinyLlamaTensors()) } });
  const started = await hubImport(repoId);
  expect(started.errors).toBeUndefined();
  const { id } = started.data!.importModel;

  const retrying = await firstVisibleFailure(id);
  expect(retrying.message).toMatch(/ECONNREFUSED .*\(attempt 1, next retry at /);
  const forwarder = await hubComesBack();
  try {
    const ended = await waitForOperation(t, id, 60_000);
    expect(ended).toMatchObject({ status: 'SUCCEEDED', errorCode: null, errorMessage: null });
  } finally {
    await new Promise((resolve) => forwarder.close(resolve));
  }
});

test('a URL whose server refuses connections FAILS the same way, with the cause, within the budget', async () => {
  const port = await freePort();
  const started = await importModel(t, { name: uniqueName('url-gone'), source: { sourceType: 'URL', url: `http://127.0.0.1:${port}/model.safetensors` } });
  expect(started.errors).toBeUndefined();
  const { id } = started.data!.importModel;
  const retrying = await firstVisibleFailure(id);
  expect(retrying.errorMessage).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
  const ended = await waitForOperation(t, id, 60_000);
  expect(ended).toMatchObject({ status: 'FAILED', errorCode: 'SOURCE_UNREACHABLE' });
  expect(ended.errorMessage).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/model\\.safetensors: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
});
