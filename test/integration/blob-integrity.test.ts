import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { blobKey } from '../../src/storage/artifact-store';
import { CorruptBlobError } from '../../src/storage/blob-integrity';
import { FsArtifactStore } from '../../src/storage/fs-artifact-store';
import { importVerified, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let t: TestApp;
let scratch: string;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-blobs-'));
});
afterAll(async () => {
  await t.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Flips one byte in the middle of a stored file, as bit rot or a stray write would. */
async function corrupt(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, Math.floor(size / 2));
    byte[0] ^= 0xff;
    await handle.write(byte, 0, 1, Math.floor(size / 2));
  } finally {
    await handle.close();
  }
}

test('a staged file on another file system is copied, verified and renamed into the store; the staging copy is gone', async () => {
  const staging = await mkdtemp(path.join('/dev/shm', 'modelhub-staging-'));
  try {
    // The case under test: staging and store on two file systems (tmpfs and the disk), where rename fails with EXDEV.
    expect((await stat(staging)).dev).not.toBe((await stat(scratch)).dev);
    const store = new FsArtifactStore(path.join(scratch, 'store-exdev'));
    const bytes = Buffer.from('weights '.repeat(100_000));
    const staged = path.join(staging, 'file.part');
    await writeFile(staged, bytes);
    await store.adoptStagedFile(staged, { sha256: sha256(bytes), size: bytes.length });

    const stored = path.join(scratch, 'store-exdev', blobKey(sha256(bytes)));
    expect(sha256(await readFile(stored))).toBe(sha256(bytes));
    await expect(stat(staged)).rejects.toThrow();
    expect((await readdir(path.dirname(stored))).filter((name) => name.includes('.incoming-'))).toEqual([]);

    // Adopting the same digest again keeps one copy and restarts its grace period for the collector.
    const old = new Date(Date.now() - 10 * 24 * 3600 * 1000);
    await utimes(stored, old, old);
    await writeFile(staged, bytes);
    await store.adoptStagedFile(staged, { sha256: sha256(bytes), size: bytes.length });
    expect((await stat(stored)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
});

test('reading a corrupt blob never delivers its bytes whole: the read fails, the blob is quarantined and reported', async () => {
  const reports: unknown[] = [];
  const root = path.join(scratch, 'store-corrupt');
  const store = new FsArtifactStore(root, (report) => reports.push(report));
  const bytes = Buffer.alloc(3 * 1024 * 1024, 7); // several stream chunks
  const staged = path.join(scratch, 'corrupt.part');
  await writeFile(staged, bytes);
  const digest = sha256(bytes);
  await store.adoptStagedFile(staged, { sha256: digest, size: bytes.length });
  await corrupt(path.join(root, blobKey(digest)));

  let received = 0;
  const reading = (async () => {
    for await (const chunk of await store.read(digest)) received += (chunk as Buffer).length;
  })();
  await expect(reading).rejects.toBeInstanceOf(CorruptBlobError);
  expect(received).toBeLessThan(bytes.length);
  expect(await store.has(digest)).toBe(false);
  await expect(store.read(digest).then((s) => s.toArray())).rejects.toThrow(/ENOENT/);

  const quarantined = await readdir(path.join(root, 'quarantine', 'sha256'));
  expect(quarantined.filter((name) => name.startsWith(digest))).toHaveLength(2); // the bytes and a note saying why
  const note = JSON.parse(await readFile(path.join(root, 'quarantine', 'sha256', quarantined.find((n) => n.endsWith('.json'))!), 'utf8'));
  expect(note).toMatchObject({ sha256: digest, actual: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(note.actual).not.toBe(digest);
  expect(reports).toEqual([{ sha256: digest, actual: note.actual, quarantinedAt: expect.stringContaining(path.join(root, 'quarantine')) }]);

  // A sound blob still reads whole.
  const good = Buffer.from('sound bytes');
  await writeFile(staged, good);
  await store.adoptStagedFile(staged, { sha256: sha256(good), size: good.length });
  expect(Buffer.concat((await (await store.read(sha256(good))).toArray()) as Buffer[])).toEqual(good);
});

test('a version whose stored weights were corrupted on disk: createLocalCache fails with the reason, the blob is quarantined, no cache is served', async () => {
  const { versionId } = await importVerified(t);
  const files = await t.dataSource.query(`SELECT path, sha256 FROM version_files WHERE version_id = $1`, [versionId]);
  const weights = files.find((f: { path: string }) => f.path === 'model.safetensors') as { sha256: string };
  const blob = path.join(t.config.artifacts.dir, blobKey(weights.sha256));
  await corrupt(blob);

  const created = await t.gql(`mutation($v: ID!) { createLocalCache(versionId: $v) { id path operation { id } } }`, { v: versionId });
  expect(created.errors).toBeUndefined();
  const cache = created.data!.createLocalCache;
  const op = await waitForOperation(t, cache.operation.id);
  expect(op.status).toBe('FAILED');
  expect(op.errorMessage).toContain(`stored blob ${weights.sha256} no longer matches its sha256`);
  expect(op.errorMessage).toContain('quarantined');
  expect(op.errorMessage).not.toContain(t.config.artifacts.dir); // no server paths for clients

  const listed = await t.gql(`query($v: ID!) { version(id: $v) { localCaches { id state } } }`, { v: versionId });
  expect(listed.data!.version.localCaches).toEqual([{ id: cache.id, state: 'FAILED' }]);
  await expect(stat(cache.path)).rejects.toThrow(); // nothing half-copied is left to serve
  await expect(stat(blob)).rejects.toThrow();
  const quarantine = await readdir(path.join(t.config.artifacts.dir, 'quarantine', 'sha256'));
  expect(quarantine.some((name) => name.startsWith(weights.sha256))).toBe(true);
}, 120_000);
