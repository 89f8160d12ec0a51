import http from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { Role } from '../../src/domain/auth/roles';
import { spawnWorker } from '../support/child-worker';
import { type EntryProcess, startEntry } from '../support/entry-process';
import { freePort } from '../support/free-port';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors } from '../fixtures/model-files';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

const SHUTDOWN_TIMEOUT_MS = 9000;

let hub: HubServer;
let t: TestApp;
const entries: EntryProcess[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ env: { HF_ENDPOINT: hub.url } });
});
afterAll(async () => {
  for (const entry of entries) entry.child.kill('SIGKILL');
  for (const child of children) child.kill('SIGKILL');
  await t.stop();
  await hub.close();
});

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...t.env,
    NODE_ENV: 'development',
    DATABASE_URL: process.env.TEST_DATABASE_URL!,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    BLOB_GC_INTERVAL_MS: '0',
    ...extra,
  };
}

/** A GraphQL POST whose body arrives in two parts: the request is in flight until `finish` sends the rest. */
function slowRequest(port: number, token: string): { finish: () => void; response: Promise<{ status: number; body: string }> } {
  const body = JSON.stringify({ query: '{ licenses { id } }' });
  const half = Math.floor(body.length / 2);
  let finish = () => undefined as void;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, half));
    finish = () => {
      req.end(body.slice(half));
    };
  });
  return { finish, response };
}

test('SIGTERM: the API finishes an in-flight request, refuses no answer it started, and exits 0 within the shutdown time', async () => {
  const port = await freePort();
  const api = startEntry('src/main.ts', childEnv({ PORT: String(port) }));
  entries.push(api);
  await api.waitFor(/subgraph listening/);

  const inFlight = slowRequest(port, await t.token(Role.VIEWER));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the server has the headers and half the body
  const signalled = Date.now();
  api.child.kill('SIGTERM');
  await api.waitFor(/shutting down/);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  inFlight.finish();

  const answer = await inFlight.response;
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({ data: { licenses: expect.arrayContaining([expect.objectContaining({ id: expect.any(String) })]) } });
  const exit = await api.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  expect(api.output()).not.toMatch(/shutdown step failed|did not finish/);
  // Gone for real: nothing listens on its port any more.
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
}, 120_000);

test('SIGTERM: a worker with a download in flight exits 0 within the shutdown time and hands the activity back at once', async () => {
  const weights = safetensors([{ name: 'w', dtype: 'F32', shape: [1024, 1024] }]); // 4 MiB
  const repoId = `sigterm/${uniqueName('worker')}`;
  hub.repos.set(repoId, { files: { 'config.json': llamaConfig(), 'model.safetensors': weights }, throttle: { chunk: 32 * 1024, delayMs: 25 } });

  const worker = startEntry('src/worker.ts', childEnv());
  entries.push(worker);
  await worker.waitFor(/worker polling/, 120_000);
  const started = await importModel(t, { name: uniqueName('sigterm'), source: { sourceType: 'HUGGING_FACE', repoId } });
  const opId = started.data!.importModel.id;
  for (;;) {
    const [row] = await t.dataSource.query('SELECT bytes_done::bigint AS b FROM operations WHERE id = $1', [opId]);
    if (Number(row.b) > 512 * 1024) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const signalled = Date.now();
  worker.child.kill('SIGTERM');
  const exit = await worker.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

  // Handed back, not abandoned: the next worker gets the retry without waiting out the 30 s heartbeat timeout.
  hub.repos.get(repoId)!.throttle = undefined;
  await spawnWorker(t, children);
  const replaced = Date.now();
  const done = await waitForOperation(t, opId, 60_000);
  expect(done.status).toBe('SUCCEEDED');
  expect(Date.now() - replaced).toBeLessThan(25_000);
}, 180_000);
