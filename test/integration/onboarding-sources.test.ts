import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { gguf, llamaConfig, modelCard, safetensors, sha256, tinyLlamaTensors } from '../fixtures/model-files';
import { errorCode } from '../support/catalog-fixtures';
import { importModel, VERSION_DETAILS, waitForOperation } from '../support/onboarding-fixtures';
import { subscribe } from '../support/subscriptions';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let hub: HubServer;
let t: TestApp;
let roots: string;

const weights = safetensors(tinyLlamaTensors());

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url } });
  roots = t.config.imports.diskRoots[0];
  await mkdir(roots, { recursive: true });
});
afterAll(async () => {
  await t.stop();
  await hub.close();
});

async function writeModelDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'config.json'), llamaConfig());
  await writeFile(path.join(dir, 'model.safetensors'), weights);
  await writeFile(path.join(dir, 'README.md'), modelCard({ license: 'apache-2.0' }));
}

async function versionOf(versionId: string) {
  const res = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION_DETAILS} } }`, { id: versionId }, { as: Role.VIEWER });
  return res.data!.version;
}

async function storedBlobs(): Promise<string[]> {
  const dir = path.join(t.config.artifacts.dir, 'blobs', 'sha256');
  const shards = await readdir(dir).catch(() => []);
  const all: string[] = [];
  for (const shard of shards) all.push(...(await readdir(path.join(dir, shard))));
  return all.sort();
}

test('DISK: a folder under the allowed roots imports; identical files across versions are stored once', async () => {
  const dir = path.join(roots, uniqueName('disk'));
  await writeModelDir(dir);
  const name = uniqueName('disk-model');
  const first = await importModel(t, { name, license: 'Apache-2.0', source: { sourceType: 'DISK', path: dir } });
  expect(first.errors).toBeUndefined();
  expect((await waitForOperation(t, first.data!.importModel.id)).status).toBe('SUCCEEDED');
  const v1 = await versionOf(first.data!.importModel.version.id);
  expect(v1.files.map((f: { path: string }) => f.path)).toEqual(['README.md', 'config.json', 'model.safetensors']);
  expect(v1.verifiedMetadata.license).toBe('Apache-2.0');
  const before = await storedBlobs();

  const second = await importModel(t, { name, version: '1.1.0', source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, second.data!.importModel.id)).status).toBe('SUCCEEDED');
  expect(await storedBlobs()).toEqual(before);
  expect(before).toContain(sha256(weights));
});

test('DISK: a path escaping the roots (.., symlink, outside) is BAD_USER_INPUT and starts nothing', async () => {
  const outside = path.join(t.dir, 'outside');
  await writeModelDir(outside);
  const link = path.join(roots, uniqueName('link'));
  await symlink(outside, link);
  for (const bad of [`${roots}/../outside`, outside, link, '/dev/zero', 'relative/path']) {
    const name = uniqueName('escape');
    const res = await importModel(t, { name, source: { sourceType: 'DISK', path: bad } });
    expect([bad, errorCode(res)]).toEqual([bad, 'BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('path');
    const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM models WHERE name = $1', [name]);
    expect(row.n).toBe(0);
  }
});

test('URL: a single file with its sha256 imports; a wrong sha256 fails the import', async () => {
  const repoId = `files/${uniqueName('url')}`;
  const file = gguf({ architecture: 'qwen2', contextLength: 32768, fileType: 7, tensors: [{ name: 'token_embd.weight', dims: [32, 64] }] });
  hub.repos.set(repoId, { files: { 'qwen.Q8_0.gguf': file } });
  const url = `${hub.url}/${repoId}/resolve/main/qwen.Q8_0.gguf`;
  const ok = await importModel(t, { name: uniqueName('url'), source: { sourceType: 'URL', url, sha256: sha256(file) } });
  expect((await waitForOperation(t, ok.data!.importModel.id)).status).toBe('SUCCEEDED');
  const version = await versionOf(ok.data!.importModel.version.id);
  expect(version.files).toEqual([{ path: 'qwen.Q8_0.gguf', size: file.length, sha256: sha256(file), format: 'GGUF' }]);
  expect(version.verifiedMetadata).toMatchObject({ architecture: 'qwen2', quantization: 'Q8_0', contextLength: 32768 });

  const bad = await importModel(t, { name: uniqueName('url-bad'), source: { sourceType: 'URL', url, sha256: '0'.repeat(64) } });
  const failed = await waitForOperation(t, bad.data!.importModel.id);
  expect(failed.status).toBe('FAILED');
  expect(failed.errorMessage).toMatch(/sha256 mismatch/);
  expect(errorCode(await importModel(t, { name: uniqueName('url'), source: { sourceType: 'URL', url: 'ftp://x/y' } }))).toBe('BAD_USER_INPUT');
});

test('CUSTOM: files already uploaded to the artifact store are adopted', async () => {
  const prefix = uniqueName('upload');
  await writeModelDir(path.join(t.config.artifacts.dir, 'uploads', prefix));
  const res = await importModel(t, { name: uniqueName('custom'), source: { sourceType: 'CUSTOM', storagePath: prefix } });
  expect((await waitForOperation(t, res.data!.importModel.id)).status).toBe('SUCCEEDED');
  expect((await versionOf(res.data!.importModel.version.id)).files).toHaveLength(3);
  const traversal = await importModel(t, { name: uniqueName('custom'), source: { sourceType: 'CUSTOM', storagePath: '../../etc' } });
  expect(errorCode(traversal)).toBe('BAD_USER_INPUT');
});

test('cancel leaves no half-written version; retry then completes it; modelEvents shows both', async () => {
  const repoId = `slow/${uniqueName('slow')}`;
  const big = safetensors([{ name: 'w', dtype: 'F32', shape: [256, 1024] }]); // 1 MiB
  hub.repos.set(repoId, { files: { 'config.json': llamaConfig(), 'model.safetensors': big }, throttle: { chunk: 16 * 1024, delayMs: 25 } });
  const started = await importModel(t, { name: uniqueName('cancel'), source: { sourceType: 'HUGGING_FACE', repoId } });
  const op = started.data!.importModel;
  const events = await subscribe(t, `subscription($m: ID!) { modelEvents(modelId: $m) { type toStatus operation { id status } } }`, { m: op.model.id });
  const progress = await subscribe(t, `subscription($id: ID!) { operationProgress(id: $id) { status bytesDone } }`, { id: op.id });
  await progress.until((e) => Number(e.data?.operationProgress.bytesDone) > 64 * 1024);

  const cancel = await t.gql(`mutation($id: ID!) { cancelOperation(id: $id) { id } }`, { id: op.id });
  expect(cancel.errors).toBeUndefined();
  const done = await waitForOperation(t, op.id);
  expect(done.status).toBe('CANCELLED');
  const version = await versionOf(op.version.id);
  expect(version).toMatchObject({ status: 'NEEDS_ATTENTION', statusReason: 'import cancelled', files: [] });
  expect(version.model.status).toBe('NEEDS_ATTENTION');
  // The operation is CANCELLED before the workflow's last step discards the staging folder: give that step 10 s.
  const staged = async (): Promise<string> => {
    for (let i = 0; i < 100; i += 1) {
      if ((await readdir(path.join(t.config.artifacts.stagingDir, op.version.id)).catch(() => null)) === null) return 'gone';
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return 'still there after 10 s';
  };
  expect(await staged()).toBe('gone');
  expect(errorCode(await t.gql(`mutation($id: ID!) { cancelOperation(id: $id) { id } }`, { id: op.id }))).toBe('CONFLICT');

  hub.repos.get(repoId)!.throttle = undefined;
  const retried = await t.gql(`mutation($id: ID!) { retryOperation(id: $id) { id status workflowId } }`, { id: op.id });
  expect(retried.data!.retryOperation.workflowId).toBe(op.workflowId);
  expect((await waitForOperation(t, retried.data!.retryOperation.id)).status).toBe('SUCCEEDED');
  expect((await versionOf(op.version.id)).status).toBe('VERIFIED');

  await events.until((e) => e.data?.modelEvents.toStatus === 'VERIFIED');
  const statuses = events.events.filter((e) => e.data!.modelEvents.type === 'STATUS').map((e) => e.data!.modelEvents.toStatus);
  expect(statuses).toEqual(['NEEDS_ATTENTION', 'INGESTING', 'VERIFIED']);
  events.close();
});

test('a local cache materialises a verified version as a serving directory, and can be evicted', async () => {
  const dir = path.join(roots, uniqueName('cache-src'));
  await writeModelDir(dir);
  const res = await importModel(t, { name: uniqueName('cached'), source: { sourceType: 'DISK', path: dir } });
  await waitForOperation(t, res.data!.importModel.id);
  const versionId = res.data!.importModel.version.id;
  const created = await t.gql(`mutation($v: ID!) { createLocalCache(versionId: $v) { id path state operation { id } } }`, { v: versionId });
  expect(created.errors).toBeUndefined();
  const cache = created.data!.createLocalCache;
  expect((await waitForOperation(t, cache.operation.id)).status).toBe('SUCCEEDED');
  const listed = await t.gql(`query($v: ID!) { version(id: $v) { localCaches { id state bytes path } } }`, { v: versionId });
  expect(listed.data!.version.localCaches[0]).toMatchObject({ id: cache.id, state: 'READY', bytes: weights.length + llamaConfig().length + modelCard({ license: 'apache-2.0' }).length });
  expect((await readdir(cache.path)).sort()).toEqual(['.modelhub-manifest.json', 'README.md', 'config.json', 'model.safetensors']);
  expect(errorCode(await t.gql(`mutation($v: ID!) { createLocalCache(versionId: $v) { id } }`, { v: versionId }))).toBe('CONFLICT');
  const evicted = await t.gql(`mutation($id: ID!) { evictLocalCache(id: $id) { state evictedAt } }`, { id: cache.id });
  expect(evicted.data!.evictLocalCache.state).toBe('EVICTED');
  await expect(readdir(cache.path)).rejects.toThrow();
});

test("scores a model card's model-index reports are stored with provenance REPORTED, once, beside measured ones", async () => {
  const dir = path.join(roots, uniqueName('card'));
  await writeModelDir(dir);
  const card = [
    '---',
    'license: apache-2.0',
    'model-index:',
    '- name: tiny-llama',
    '  results:',
    '  - task: { type: text-generation }',
    '    dataset: { name: MMLU (5-Shot), type: cais/mmlu }',
    '    metrics:',
    '    - { type: acc, value: 0.423 }',
    '  - task: { type: text-generation }',
    '    dataset: { name: GSM8k, type: gsm8k }',
    '    metrics:',
    '    - { type: acc, value: "not a number" }',
    '---',
    '',
    '# Model card',
  ].join('\n');
  await writeFile(path.join(dir, 'README.md'), card);
  const started = await importModel(t, { name: uniqueName('card'), source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, started.data!.importModel.id)).status).toBe('SUCCEEDED');
  const res = await t.gql(`query($id: ID!) { model(id: $id) { evaluations { benchmark score provenance } } }`, { id: started.data!.importModel.model.id }, { as: Role.VIEWER });
  // The malformed score is skipped, the good one stored once.
  expect(res.data!.model.evaluations).toEqual([{ benchmark: 'mmlu', score: 0.423, provenance: 'REPORTED' }]);
});
