import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { issueToken } from '../../src/services/auth-tokens';
import { loadConfig } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { type EntryProcess, startEntry } from '../support/entry-process';
import { freePort } from '../support/free-port';
import { subscribe } from '../support/subscriptions';
import type { TestApp } from '../support/test-app';
import { takeTurns } from '../support/exclusive';
import { ownDatabase } from '../support/own-database';

/**
 * Scale-out as the Helm chart runs it: two API processes and two workers (each its own host id and cache disk) on
 * one PostgreSQL database and one Temporal task queue, every process started with MIGRATE_ON_START=false and the
 * migrations applied by one `npm run migrate` run. Imports started on either API finish, a subscriber of one API
 * hears the progress of an import started on the other (NOTIFY reaches both), and a local cache asked of one host
 * is made on that host's disk only.
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
takeTurns('cores');

let hub: HubServer;
let scratch: string;
let env: Record<string, string>;
const processes: EntryProcess[] = [];
const apis: { port: number; url: string }[] = [];

async function gql(port: number, query: string, variables: Record<string, unknown> = {}, role: Role = Role.EDITOR) {
  const token = await issueToken(loadConfig(env).auth, `${role}-user`, [role]);
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are inspected field by field
  return (await res.json()) as { data?: Record<string, any>; errors?: { message: string }[] };
}

/** The last lines each replica printed, for a failure's message. */
function processLogs(): string {
  const names = ['api-1', 'api-2', 'host-1', 'host-2'];
  return processes.map((entry, i) => `--- ${names[i]}:\n${entry.output().split('\n').slice(-25).join('\n')}`).join('\n');
}

/** The subscription helper speaks to a TestApp; this is the part of one it uses, for a child API process. */
function asApp(port: number): TestApp {
  const config = loadConfig(env);
  return { app: { url: `http://127.0.0.1:${port}/graphql` }, token: (role: Role) => issueToken(config.auth, `${role}-user`, [role]) } as unknown as TestApp;
}

async function waitDone(port: number, id: string, timeoutMs = 150_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await gql(port, `query($id: ID!) { operation(id: $id) { status errorMessage message currentStep } }`, { id });
    const op = res.data?.operation as { status: string } | undefined;
    if (op && !['PENDING', 'RUNNING'].includes(op.status)) return op;
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op?.status} after ${timeoutMs} ms: ${JSON.stringify(op)}\n${processLogs()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  hub = await startHubServer();
  for (const name of ['org/scale-a', 'org/scale-b', 'org/scale-c']) {
    hub.repos.set(name, { files: { 'config.json': llamaConfig(), 'model.safetensors': safetensors(tinyLlamaTensors()) } });
  }
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-scale-'));
  env = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: await ownDatabase('scale', false),
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS as string,
    TEMPORAL_TASK_QUEUE: `modelhub-scale-${randomBytes(4).toString('hex')}`,
    MIGRATE_ON_START: 'false',
    HF_ENDPOINT: hub.url,
    ARTIFACT_DIR: path.join(scratch, 'artifacts'), // the shared store (S3 in the chart)
    BLOB_GC_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    URL_IMPORT_ALLOW: '127.0.0.1,::1,localhost',
    ...(process.env.TEST_CLAMD_PORT ? { CLAMD_HOST: '127.0.0.1', CLAMD_PORT: process.env.TEST_CLAMD_PORT } : {}),
  };
}, 60_000);

afterAll(async () => {
  for (const entry of processes) entry.child.kill('SIGKILL');
  await hub?.close();
  await rm(scratch, { recursive: true, force: true });
});

test('replicas wait for the one migrate run, then two APIs and two workers share imports, events and per-host caches', async () => {
  // Every replica starts before the schema exists: none migrates, each waits and says so.
  for (const name of ['api-1', 'api-2']) {
    const port = await freePort();
    const api = startEntry('src/main.ts', { ...env, PORT: String(port), STAGING_DIR: path.join(scratch, name, 'staging') });
    processes.push(api);
    apis.push({ port, url: `http://127.0.0.1:${port}` });
  }
  for (const host of ['host-1', 'host-2']) {
    processes.push(
      startEntry('src/worker.ts', {
        ...env,
        WORKER_HOST_ID: host,
        WORKER_METRICS_PORT: String(await freePort()), // one per pod in the chart; here both share one host's ports
        STAGING_DIR: path.join(scratch, host, 'staging'),
        CACHE_DIR: path.join(scratch, host, 'cache'),
      }),
    );
  }
  for (const entry of processes) await entry.waitFor(/waiting for \d+ migration\(s\)/, 120_000);

  const migrate = await run(process.execPath, ['-r', './test/support/ts-register.js', 'src/cli/migrate.ts'], { cwd: ROOT, env: { ...process.env, ...env } });
  expect(migrate.stderr).not.toMatch(/error/i);
  for (const entry of processes.slice(0, 2)) await entry.waitFor(/subgraph listening/, 120_000);
  for (const entry of processes.slice(2)) await entry.waitFor(/worker polling/, 180_000);

  // A subscriber of API 2 hears an import started on API 1 through to its end.
  const started = await gql(apis[0].port, `mutation($i: ImportModelInput!) { importModel(input: $i) { id version { id } } }`, {
    i: { name: `scale-a-${randomBytes(3).toString('hex')}`, source: { sourceType: 'HUGGING_FACE', repoId: 'org/scale-a' } },
  });
  expect(started.errors).toBeUndefined();
  const opId = started.data!.importModel.id as string;
  const watched = await subscribe(asApp(apis[1].port), `subscription($id: ID!) { operationProgress(id: $id) { status progress } }`, { id: opId });
  const last = await watched.until((event) => event.data?.operationProgress.status === 'SUCCEEDED', 150_000);
  expect(last.data!.operationProgress.progress).toBe(1);

  // Imports started on either API all finish, whichever worker takes them.
  const more = await Promise.all(
    ['org/scale-b', 'org/scale-c'].map((repoId, i) =>
      gql(apis[i].port, `mutation($i: ImportModelInput!) { importModel(input: $i) { id version { id } } }`, {
        i: { name: `${repoId.split('/')[1]}-${randomBytes(3).toString('hex')}`, source: { sourceType: 'HUGGING_FACE', repoId } },
      }),
    ),
  );
  for (const res of more) {
    expect(res.errors).toBeUndefined();
    expect((await waitDone(apis[0].port, res.data!.importModel.id)).status).toBe('SUCCEEDED');
  }

  // A cache asked of host-2 through API 1 is made on host-2's disk, and host-1's stays empty.
  const versionId = started.data!.importModel.version.id as string;
  const cached = await gql(apis[0].port, `mutation($v: ID!) { createLocalCache(versionId: $v, host: "host-2") { id host operation { id } } }`, { v: versionId }, Role.ADMIN);
  expect(cached.errors).toBeUndefined();
  expect((await waitDone(apis[1].port, cached.data!.createLocalCache.operation.id)).status).toBe('SUCCEEDED');
  const cache = await gql(apis[1].port, `query($v: ID!) { version(id: $v) { localCaches { host state path } } }`, { v: versionId });
  expect(cache.data!.version.localCaches).toEqual([expect.objectContaining({ host: 'host-2', state: 'READY' })]);
  expect(cache.data!.version.localCaches[0].path.startsWith(path.join(scratch, 'host-2', 'cache'))).toBe(true);
  expect(await readdir(path.join(scratch, 'host-1', 'cache')).catch(() => [])).toEqual([]);
}, 600_000);
