import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { blobKey } from '../../src/storage/artifact-store';
import { spawnWorker } from '../support/child-worker';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors, sha256 } from '../fixtures/model-files';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let hub: HubServer;
let t: TestApp;
const children: ChildProcess[] = [];

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ env: { HF_ENDPOINT: hub.url } });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await t.stop();
  await hub.close();
});

const spawn = () => spawnWorker(t, children);

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

test('a worker killed mid-download is replaced; the new one resumes the file and the stored bytes equal the source', async () => {
  const weights = safetensors([{ name: 'w', dtype: 'F32', shape: [2048, 1024] }]); // 8 MiB
  const repoId = `crash/${uniqueName('resume')}`;
  hub.repos.set(repoId, { files: { 'config.json': llamaConfig(), 'model.safetensors': weights }, throttle: { chunk: 64 * 1024, delayMs: 20 } });

  const first = await spawn();
  const started = await importModel(t, { name: uniqueName('resume'), source: { sourceType: 'HUGGING_FACE', repoId } });
  const opId = started.data!.importModel.id;
  for (;;) {
    const [row] = await t.dataSource.query('SELECT bytes_done::bigint AS b FROM operations WHERE id = $1', [opId]);
    if (Number(row.b) > 2 * 1024 * 1024) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  first.kill('SIGKILL');
  hub.repos.get(repoId)!.throttle = undefined;
  await spawn();

  // The dead worker's attempt times out on its heartbeat (30 s); the retry lands on the new worker.
  const done = await waitForOperation(t, opId, 110_000);
  expect(done.status).toBe('SUCCEEDED');
  const resumed = hub.ranges.filter((r) => r.startsWith('model.safetensors:bytes='));
  expect(resumed.some((r) => Number(/bytes=(\d+)-/.exec(r)![1]) > 0)).toBe(true);
  const stored = path.join(t.config.artifacts.dir, blobKey(sha256(weights)));
  expect(await fileSha256(stored)).toBe(sha256(weights));
}, 150_000);
