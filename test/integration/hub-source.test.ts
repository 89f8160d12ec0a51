import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChecksumMismatchError, GitBlobMismatchError } from '../../src/domain/artifacts/checksum.errors';
import { HuggingFaceSource } from '../../src/storage/sources/hugging-face-source';
import type { SourceFile } from '../../src/storage/sources/model-source';
import { stageFile, StalledSourceError } from '../../src/storage/staged-file';
import { gitBlobSha1 } from '../fixtures/hub-history';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors, sha256, tinyLlamaTensors } from '../fixtures/model-files';

/** The hub source against the local hub-protocol server, below the import workflow: bytes and revisions only. */
let hub: HubServer;
let dir: string;

beforeAll(async () => {
  hub = await startHubServer();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-source-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const weights = safetensors(tinyLlamaTensors());
// Not test-app's helper: this file needs neither the app nor the database.
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

function repoFiles(readme: string) {
  return { 'config.json': llamaConfig(), 'README.md': Buffer.from(readme), 'model.safetensors': weights, 'tokenizer/vocab.txt': Buffer.from('a\nb\nc\n') };
}

function newRepo(files: Record<string, Buffer>): string {
  const repoId = `test-org/${uniqueName('repo')}`;
  hub.repos.set(repoId, { files });
  return repoId;
}

const source = (repoId: string, revision = 'main') => new HuggingFaceSource({ endpoint: hub.url, token: null }, repoId, revision);

async function stage(from: HuggingFaceSource, file: SourceFile, extra: { idleTimeoutMs?: number } = {}) {
  const stagingPath = path.join(dir, `${Buffer.from(file.path).toString('hex')}.part`);
  const blob = await stageFile({
    name: file.path,
    stagingPath,
    open: (offset) => from.open(file, offset),
    expectedSize: file.size,
    expectedSha256: file.sha256,
    expectedGitBlobId: file.gitBlobId,
    ...extra,
  });
  return { blob, bytes: await readFile(stagingPath) };
}

test('listing resolves the branch to its commit sha and lists the tree at that sha', async () => {
  const repoId = newRepo(repoFiles('# v1'));
  const listing = await source(repoId).list();
  const sha = hub.commitOf(repoId, 'main');
  expect(listing.revision).toMatch(/^[0-9a-f]{40}$/);
  expect(listing.revision).toBe(sha);
  const trees = hub.requests.filter((r) => r.path.startsWith(`/api/models/${repoId}/tree/`));
  expect(trees.map((r) => r.path)).toEqual([`/api/models/${repoId}/tree/${sha}`]);
  expect(listing.files.map((f) => f.path)).toEqual(['config.json', 'model.safetensors', 'README.md', 'tokenizer/vocab.txt']);
});

test('non-LFS files carry their git blob id, LFS files their sha256, and all of them verify', async () => {
  const files = repoFiles('# card');
  const repoId = newRepo(files);
  const from = source(repoId);
  const listing = await from.list();
  const byPath = new Map(listing.files.map((f) => [f.path, f]));
  expect(byPath.get('config.json')).toEqual({ path: 'config.json', size: files['config.json'].length, sha256: null, gitBlobId: gitBlobSha1(files['config.json']) });
  expect(byPath.get('model.safetensors')).toEqual({ path: 'model.safetensors', size: weights.length, sha256: sha256(weights), gitBlobId: null });
  for (const file of listing.files) {
    const { blob, bytes } = await stage(from, file);
    expect(bytes.equals(files[file.path as keyof typeof files])).toBe(true);
    expect(blob.sha256).toBe(sha256(bytes));
  }
});

test('a tampered git file fails git blob verification, a tampered LFS file fails sha256', async () => {
  const files = repoFiles('# honest card');
  const repoId = newRepo(files);
  hub.repos.get(repoId)!.corrupt = { 'README.md': Buffer.from('# evil card!!'), 'model.safetensors': Buffer.from(weights).fill(7, 100, 110) };
  const from = source(repoId);
  const listing = await from.list();
  const readme = listing.files.find((f) => f.path === 'README.md')!;
  await expect(stage(from, readme)).rejects.toBeInstanceOf(GitBlobMismatchError);
  const model = listing.files.find((f) => f.path === 'model.safetensors')!;
  await expect(stage(from, model)).rejects.toBeInstanceOf(ChecksumMismatchError);
});

test('moving main after listing does not change what the pinned listing opens', async () => {
  const before = repoFiles('# revision one');
  const repoId = newRepo(before);
  const first = source(repoId);
  const listing = await first.list();
  const moved = hub.moveBranch(repoId, 'main', { ...repoFiles('# revision two, longer'), 'extra.txt': Buffer.from('new') });
  expect(moved).not.toBe(listing.revision);

  // The same source object, and one built later from the listing's revision (as a later activity would).
  for (const from of [first, source(repoId, listing.revision!)]) {
    for (const file of listing.files) {
      const { bytes } = await stage(from, file);
      expect(bytes.equals(before[file.path as keyof typeof before])).toBe(true);
      await rm(path.join(dir, `${Buffer.from(file.path).toString('hex')}.part`));
    }
  }
  const downloads = hub.requests.filter((r) => r.path.startsWith(`/${repoId}/resolve/`));
  expect(downloads.every((r) => r.path.startsWith(`/${repoId}/resolve/${listing.revision}/`))).toBe(true);

  const fresh = await source(repoId).list();
  expect(fresh.revision).toBe(moved);
  expect(fresh.files.map((f) => f.path)).toContain('extra.txt');
});

test('a 2,000-file repository lists completely across tree pages', async () => {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 2000; i += 1) files[`shards/part-${String(i).padStart(4, '0')}/data.txt`] = Buffer.from(`file ${i}\n`);
  const repoId = newRepo(files);
  const listing = await source(repoId).list();
  expect(listing.files).toHaveLength(2000);
  expect(new Set(listing.files.map((f) => f.path))).toEqual(new Set(Object.keys(files)));
  expect(listing.files.every((f) => f.gitBlobId === gitBlobSha1(files[f.path]))).toBe(true);
  // 2,000 files and 2,001 directories at 1,000 entries a page, every page asked at the pinned sha.
  const pages = hub.requests.filter((r) => r.path === `/api/models/${repoId}/tree/${listing.revision}`);
  expect(pages).toHaveLength(5);
});

test('a download that stalls mid-stream fails as stalled, and the next attempt resumes with a Range request', async () => {
  const repoId = newRepo(repoFiles('# stall'));
  hub.stall(repoId, 'model.safetensors', { afterBytes: 100_000 });
  const from = source(repoId);
  const model = (await from.list()).files.find((f) => f.path === 'model.safetensors')!;
  await expect(stage(from, model, { idleTimeoutMs: 300 })).rejects.toBeInstanceOf(StalledSourceError);
  const { blob } = await stage(from, model, { idleTimeoutMs: 300 });
  expect(blob.sha256).toBe(sha256(weights));
  expect(hub.downloadsOf(repoId, 'model.safetensors')).toBe(2);
  expect(hub.ranges).toContain('model.safetensors:bytes=100000-');
});

test('the bandwidth cap paces each connection', async () => {
  const repoId = newRepo({ 'blob.bin': Buffer.alloc(256 * 1024, 1) });
  const capped = await startHubServer({ bytesPerSecond: 1024 * 1024 });
  try {
    capped.repos.set(repoId, hub.repos.get(repoId)!);
    const from = new HuggingFaceSource({ endpoint: capped.url, token: null }, repoId, 'main');
    const [file] = (await from.list()).files;
    const started = Date.now();
    await stage(from, file);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200); // 256 KiB at 1 MiB/s ≈ 250 ms
  } finally {
    await capped.close();
  }
});
