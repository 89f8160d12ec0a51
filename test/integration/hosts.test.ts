import type { ChildProcess } from 'node:child_process';
import { access, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { spawnWorker } from '../support/child-worker';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors } from '../fixtures/model-files';
import { importModel, importVerified, waitForOperation } from '../support/onboarding-fixtures';
import { errorCode } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
const children: ChildProcess[] = [];
const hosts = ['host-a', 'host-b'] as const;
type Host = (typeof hosts)[number];
const workers = new Map<Host, ChildProcess>();

const cacheDir = (host: Host) => path.join(t.dir, host, 'cache');
const exists = (p: string) => access(p).then(() => true, () => false);

let hub: HubServer;
const hostEnv = (host: Host) => ({ WORKER_HOST_ID: host, CACHE_DIR: cacheDir(host), STAGING_DIR: stagingDir(host) });
const stagingDir = (host: Host) => path.join(t.dir, host, 'staging');

beforeAll(async () => {
  hub = await startHubServer();
  // Only the API here: the two workers are separate processes with disks (folders) of their own; the artifact
  // store (ARTIFACT_DIR) is shared between them, as an S3 bucket or a shared volume would be.
  t = await startTestApp({ env: { HF_ENDPOINT: hub.url } });
  await mkdir(t.config.imports.diskRoots[0], { recursive: true });
  for (const host of hosts) workers.set(host, await spawnWorker(t, children, hostEnv(host)));
}, 240_000); // two worker processes compile the sources on start: slow on a loaded 2-core machine
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await t.stop();
  await hub.close();
});

test('a download resumes on the host whose disk holds its staged bytes, after that worker restarts', async () => {
  const repoId = `hosts/${uniqueName('resume')}`;
  const weights = safetensors([{ name: 'w', dtype: 'F32', shape: [512, 1024] }]); // 2 MiB
  hub.repos.set(repoId, { files: { 'config.json': llamaConfig(), 'model.safetensors': weights }, throttle: { chunk: 32 * 1024, delayMs: 50 } });
  const started = await importModel(t, { name: uniqueName('resume'), source: { sourceType: 'HUGGING_FACE', repoId } });
  const op = started.data!.importModel;
  let holder: Host | null = null;
  while (holder === null) {
    for (const host of hosts) if ((await readdir(path.join(stagingDir(host), op.version.id)).catch(() => [])).length > 0) holder = host;
    const [row] = await t.dataSource.query('SELECT bytes_done::bigint AS b FROM operations WHERE id = $1', [op.id]);
    if (holder !== null && Number(row.b) < 256 * 1024) holder = null; // wait for some bytes to be staged
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const other: Host = holder === 'host-a' ? 'host-b' : 'host-a';
  workers.get(holder)!.kill('SIGKILL');
  hub.repos.get(repoId)!.throttle = undefined;
  workers.set(holder, await spawnWorker(t, children, hostEnv(holder)));
  const done = await waitForOperation(t, op.id, 120_000);
  expect(done.status).toBe('SUCCEEDED');
  // Resumed from the staged bytes (a ranged request), on the holder: the other host never staged this version.
  const resumed = hub.requests.filter((r) => r.path.includes(repoId) && r.path.endsWith('model.safetensors') && /^bytes=[1-9]/.test(r.range ?? ''));
  expect(resumed.length).toBeGreaterThan(0);
  expect(await exists(path.join(stagingDir(other), op.version.id))).toBe(false);
}, 180_000);

const CACHE = `mutation($v: ID!, $host: String) { createLocalCache(versionId: $v, host: $host) { id host path state operation { id } } }`;
const EVICT = `mutation($id: ID!) { evictLocalCache(id: $id) { id state host } }`;

async function cacheOn(versionId: string, host: Host | null) {
  const res = await t.gql(CACHE, { v: versionId, host });
  expect(res.errors).toBeUndefined();
  const created = res.data!.createLocalCache;
  expect((await waitForOperation(t, created.operation.id)).status).toBe('SUCCEEDED');
  const read = await t.gql(`query($v: ID!) { version(id: $v) { localCaches { id host path state } } }`, { v: versionId });
  return (read.data!.version.localCaches as { id: string; host: Host; path: string; state: string }[]).find((c) => c.id === created.id)!;
}

test('a local cache is materialised on the host that claims it, or on the one named, and evicted there', async () => {
  const { versionId } = await importVerified(t);
  const first = await cacheOn(versionId, null);
  expect(hosts).toContain(first.host);
  expect(first).toMatchObject({ state: 'READY', path: expect.stringContaining(cacheDir(first.host)) });
  expect(await exists(path.join(first.path, 'config.json'))).toBe(true);

  const other: Host = first.host === 'host-a' ? 'host-b' : 'host-a';
  const second = await cacheOn(versionId, other);
  expect(second).toMatchObject({ host: other, state: 'READY', path: expect.stringContaining(cacheDir(other)) });
  expect(await exists(path.join(second.path, 'model.safetensors'))).toBe(true);
  const again = await t.gql(CACHE, { v: versionId, host: other });
  expect(errorCode(again)).toBe('CONFLICT');

  const evicted = await t.gql(EVICT, { id: second.id });
  expect(evicted.data!.evictLocalCache).toMatchObject({ state: 'EVICTED', host: other });
  expect(await exists(second.path)).toBe(false);
  expect(await exists(first.path)).toBe(true); // the other host's copy is untouched

  // The holding host is down: eviction is refused, saying which host, and nothing changes.
  workers.get(first.host)!.kill('SIGKILL');
  const refused = await t.gql(EVICT, { id: first.id });
  expect(errorCode(refused)).toBe('CONFLICT');
  expect(refused.errors![0].message).toContain(first.host);
  const [row] = await t.dataSource.query('SELECT state FROM local_caches WHERE id = $1', [first.id]);
  expect(row.state).toBe('READY');
  expect(await exists(first.path)).toBe(true);
}, 400_000);

test('a malformed host name is BAD_USER_INPUT', async () => {
  const { versionId } = await importVerified(t);
  expect(errorCode(await t.gql(CACHE, { v: versionId, host: '../etc' }))).toBe('BAD_USER_INPUT');
});
