import type { Readable } from 'node:stream';
import { Role } from '../../src/domain/auth/roles';
import type { ArtifactStore } from '../../src/storage/artifact-store';
import { createArtifactStore } from '../../src/storage/create-artifact-store';
import type { RepoFiles } from '../fixtures/hub-history';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, modelCard, safetensors, sha256, tinyLlamaTensors } from '../fixtures/model-files';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/** What an import stores is exactly one commit's bytes: at scale, across a moving branch, a stall, and a bad mirror. */
let hub: HubServer;
let t: TestApp;
let store: ArtifactStore;

const IDLE_TIMEOUT_MS = 2000;

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url, IMPORT_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) } });
  store = createArtifactStore(t.config.artifacts);
});
afterAll(async () => {
  await t.stop();
  await hub.close();
});

interface StoredFile {
  path: string;
  size: string;
  sha256: string;
  format: string;
}

const VERSION_FIELDS = 'id status statusReason filesComplete sourceRevision files { path size sha256 format }';

async function versionOf(id: string) {
  const res = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION_FIELDS} } }`, { id }, { as: Role.VIEWER });
  expect(res.errors).toBeUndefined();
  return res.data!.version as { status: string; statusReason: string | null; filesComplete: boolean; sourceRevision: string | null; files: StoredFile[] };
}

async function startImport(repoId: string, revision = 'main') {
  const res = await importModel(t, { name: uniqueName('integrity'), source: { sourceType: 'HUGGING_FACE', repoId, revision } });
  expect(res.errors).toBeUndefined();
  return { operationId: res.data!.importModel.id as string, versionId: res.data!.importModel.version.id as string };
}

async function storedBytes(sha: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await store.read(sha)) as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The version's files must be exactly `files`, and each stored blob must hold the same bytes. */
async function expectStoredExactly(stored: StoredFile[], files: RepoFiles, readBack: (path: string) => boolean = () => true) {
  expect(stored.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
  for (const file of stored) {
    const source = files[file.path];
    expect({ path: file.path, size: Number(file.size), sha256: file.sha256 }).toEqual({ path: file.path, size: source.length, sha256: sha256(source) });
    if (readBack(file.path)) expect((await storedBytes(file.sha256)).equals(source)).toBe(true);
  }
}

function smallModel(card: string, hidden = 64): RepoFiles {
  return {
    'config.json': llamaConfig({ hidden_size: hidden }),
    'README.md': modelCard({ license: 'apache-2.0' }, card),
    'model.safetensors': safetensors(tinyLlamaTensors(hidden)),
    'tokenizer.json': Buffer.from(`{"version":"1.0","card":${JSON.stringify(card)}}`),
    'tokenizer/vocab.txt': Buffer.from('a\nb\nc\n'),
  };
}

/**
 * config.json + model.safetensors + 1,998 files in nested folders: git text files (two empty, several
 * identical, one with a space and a non-ASCII letter in its name) and small LFS `.dat` blobs (a `.bin` must parse as a pickle: scanners fail closed).
 */
function largeRepo(): RepoFiles {
  const files: RepoFiles = { 'config.json': llamaConfig(), 'model.safetensors': safetensors(tinyLlamaTensors()) };
  for (let i = 0; i < 1998; i += 1) {
    const dir = `data/group-${String(i % 20).padStart(2, '0')}/part-${i % 7}`;
    if (i === 0) files['docs/notes naïve.txt'] = Buffer.from('a file name that needs encoding\n');
    // LFS by extension. Fill bytes 1..91: a run of 0x83 (pickle EXT2) is scanned as a truncated pickle and fails closed.
    else if (i % 10 === 0) files[`${dir}/blob-${i}.dat`] = Buffer.alloc(1024 + i, (i % 100) + 1);
    else if (i === 1 || i === 2) files[`${dir}/empty-${i}.txt`] = Buffer.alloc(0);
    else if (i % 100 === 55) files[`${dir}/same-${i}.txt`] = Buffer.from('identical content in several files\n');
    else files[`${dir}/file-${i}.txt`] = Buffer.from(`line of file ${i}\n`.repeat((i % 5) + 1));
  }
  return files;
}

test('a 2,000-file repository imports completely at the commit its branch pointed to', async () => {
  const repoId = `integrity/${uniqueName('large')}`;
  const files = largeRepo();
  expect(Object.keys(files)).toHaveLength(2000);
  hub.repos.set(repoId, { files });
  const sha = hub.commitOf(repoId, 'main');

  const started = Date.now();
  const { operationId, versionId } = await startImport(repoId);
  const op = await waitForOperation(t, operationId, 400_000);
  const seconds = (Date.now() - started) / 1000;
  console.log(`2,000-file import: ${seconds.toFixed(1)} s wall time (request to SUCCEEDED, polled every 200 ms)`);

  expect(op).toMatchObject({ status: 'SUCCEEDED', progress: 1, bytesDone: op.bytesTotal });
  const version = await versionOf(versionId);
  expect(version).toMatchObject({ status: 'VERIFIED', filesComplete: true, sourceRevision: sha });
  expect(version.files).toHaveLength(2000);
  // Every digest is checked; the bytes are read back for the weights, the LFS blobs and the edge cases.
  await expectStoredExactly(version.files, files, (p) => !p.endsWith('.txt') || /empty|same|docs\//.test(p));
  const formats = new Map(version.files.map((f) => [f.path, f.format]));
  expect([formats.get('config.json'), formats.get('model.safetensors'), formats.get('data/group-10/part-3/blob-10.dat')]).toEqual(['CONFIG', 'SAFETENSORS', 'OTHER']);
  const downloads = hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/${repoId}/resolve/`));
  expect(downloads).toHaveLength(2000);
  expect(downloads.every((r) => r.path.startsWith(`/${repoId}/resolve/${sha}/`))).toBe(true);
}, 450_000);

test('moving the branch mid-download mixes nothing: every stored file is the original commit, retries included', async () => {
  const repoId = `integrity/${uniqueName('moving')}`;
  const original = smallModel('# revision one');
  // Slow bodies keep every file in flight when the branch moves; the stall forces a second attempt after it.
  hub.repos.set(repoId, { files: original, throttle: { chunk: 2048, delayMs: 10 } });
  hub.stall(repoId, 'model.safetensors', { afterBytes: 8192 });
  const originalSha = hub.commitOf(repoId, 'main');

  const { operationId, versionId } = await startImport(repoId);
  await until(() => hub.downloadsOf(repoId, 'model.safetensors') >= 1, 'the first download of model.safetensors');
  const changed: RepoFiles = { ...smallModel('# revision two, different bytes', 128), 'extra.txt': Buffer.from('only in the new commit\n') };
  const movedSha = hub.moveBranch(repoId, 'main', changed);
  expect(movedSha).not.toBe(originalSha);
  expect(hub.commitOf(repoId, 'main')).toBe(movedSha);
  const midway = await t.gql(`query($id: ID!) { operation(id: $id) { status } }`, { id: operationId });
  expect(midway.data!.operation.status).toBe('RUNNING');

  const op = await waitForOperation(t, operationId);
  expect(op.status).toBe('SUCCEEDED');
  const version = await versionOf(versionId);
  expect(version).toMatchObject({ status: 'VERIFIED', filesComplete: true, sourceRevision: originalSha });
  await expectStoredExactly(version.files, original);
  const differing = version.files.filter((f) => !changed[f.path].equals(original[f.path]));
  expect(differing.map((f) => f.path).sort()).toEqual(['README.md', 'config.json', 'model.safetensors', 'tokenizer.json']);
  for (const file of differing) expect(file.sha256).not.toBe(sha256(changed[file.path]));
  // The retry came after the move (the stall lasts the idle timeout) and still read the original commit.
  expect(hub.downloadsOf(repoId, 'model.safetensors')).toBe(2);
  const resolves = hub.requests.filter((r) => r.path.startsWith(`/${repoId}/resolve/`));
  expect(resolves.filter((r) => !r.path.startsWith(`/${repoId}/resolve/${originalSha}/`))).toEqual([]);
});

test('a stalled download times out and the next attempt resumes from the staged bytes', async () => {
  const repoId = `integrity/${uniqueName('stall')}`;
  const files = smallModel('# stalls once');
  const afterBytes = 65_536;
  expect(files['model.safetensors'].length).toBeGreaterThan(afterBytes);
  hub.repos.set(repoId, { files });
  hub.stall(repoId, 'model.safetensors', { afterBytes, times: 1 });
  const sha = hub.commitOf(repoId, 'main');

  const started = Date.now();
  const { operationId, versionId } = await startImport(repoId);
  const op = await waitForOperation(t, operationId);
  expect(op.status).toBe('SUCCEEDED');
  expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS);

  const downloads = hub.requests.filter((r) => r.method === 'GET' && r.path === `/${repoId}/resolve/${sha}/model.safetensors`);
  expect(downloads).toHaveLength(2);
  expect(downloads[0].range).toBeNull();
  const resumedFrom = Number(/^bytes=(\d+)-$/.exec(downloads[1].range ?? '')?.[1] ?? NaN);
  expect(resumedFrom).toBeGreaterThan(0);
  expect(resumedFrom).toBeLessThanOrEqual(afterBytes);
  const version = await versionOf(versionId);
  expect(version).toMatchObject({ status: 'VERIFIED', filesComplete: true, sourceRevision: sha });
  await expectStoredExactly(version.files, files);
});

test('a non-LFS file whose bytes miss its git blob id fails the import by name and stores nothing', async () => {
  const repoId = `integrity/${uniqueName('tampered')}`;
  const files = smallModel('# honest');
  // Same length as the committed file, so only the git blob id can tell.
  const tampered = Buffer.from('a\nX\nc\n');
  expect(tampered.length).toBe(files['tokenizer/vocab.txt'].length);
  hub.repos.set(repoId, { files, corrupt: { 'tokenizer/vocab.txt': tampered } });

  const { operationId, versionId } = await startImport(repoId);
  const op = await waitForOperation(t, operationId);
  expect(op).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT' });
  expect(op.errorMessage).toMatch(/tokenizer\/vocab\.txt: git blob id mismatch/);
  const version = await versionOf(versionId);
  expect(version).toMatchObject({ status: 'NEEDS_ATTENTION', filesComplete: false, files: [] });
  expect(version.statusReason).toMatch(/tokenizer\/vocab\.txt/);
  // A verdict, not a transient fault: the file was not fetched again.
  expect(hub.downloadsOf(repoId, 'tokenizer/vocab.txt')).toBe(1);
});
