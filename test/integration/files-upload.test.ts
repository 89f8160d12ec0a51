import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tus from 'tus-js-client';
import { Role } from '../../src/domain/auth/roles';
import { errorCode } from '../support/catalog-fixtures';
import { draftVersion, filesUrl, modelFiles, putFile, sha256, uploadAndSubmit, writeFolder } from '../support/files-fixtures';
import { waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const run = promisify(execFile);
let t: TestApp;
let scratch: string;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-upload-'));
});
afterAll(async () => {
  await t.stop();
  await rm(scratch, { recursive: true, force: true });
});

const TREE = `query($id: ID!, $path: String, $recursive: Boolean, $first: Int, $after: String) { version(id: $id) { status
  tree(path: $path, recursive: $recursive, first: $first, after: $after) { totalCount hasNextPage endCursor entries { type path name size fileCount sha256 format } }
  fileChanges { action path fromPath sha256 actor } } }`;

/** A large file of pseudo-random bytes written in 4 MiB steps (never whole in memory), and its sha256. */
async function bigFile(file: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let seed = createHash('sha256').update(file).digest();
  for (let written = 0; written < bytes; ) {
    const chunk = Buffer.alloc(Math.min(4 * 1024 * 1024, bytes - written));
    for (let i = 0; i < chunk.length; i += 32) {
      seed = createHash('sha256').update(seed).digest();
      seed.copy(chunk, i);
    }
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    written += chunk.length;
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return hash.digest('hex');
}

function tusUpload(file: string, size: number, options: Partial<tus.UploadOptions>): Promise<tus.Upload> {
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(createReadStream(file), {
      uploadSize: size,
      chunkSize: 32 * 1024 * 1024,
      retryDelays: [],
      ...options,
      onSuccess: () => resolve(upload),
      onError: reject,
    });
    upload.start();
  });
}

test('a DRAFT version takes files, folders, moves and removals, each recorded; the tree pages by path', async () => {
  const draft = await draftVersion(t);
  for (const [file, bytes] of modelFiles()) expect((await putFile(t, draft.versionId, file, bytes)).status).toBe(201);
  const folder = await t.gql(`mutation($v: ID!) { createFolder(versionId: $v, path: "extra/empty") { id } }`, { v: draft.versionId });
  expect(folder.errors).toBeUndefined();
  const moved = await t.gql(`mutation($v: ID!) { moveFile(versionId: $v, from: "tokenizer", to: "tok") { id } }`, { v: draft.versionId });
  expect(moved.errors).toBeUndefined();
  await putFile(t, draft.versionId, 'scratch.txt', Buffer.from('x'));
  await putFile(t, draft.versionId, 'scratch.txt', Buffer.from('replaced'));
  const removed = await t.gql(`mutation($v: ID!) { removeFile(versionId: $v, path: "scratch.txt") { id } }`, { v: draft.versionId });
  expect(removed.errors).toBeUndefined();

  const root = await t.gql(TREE, { id: draft.versionId }, { as: Role.VIEWER });
  const files = modelFiles();
  expect(root.data!.version.tree.entries.map((e: { path: string; type: string }) => `${e.type}:${e.path}`)).toEqual([
    'FILE:README.md',
    'FILE:config.json',
    'DIRECTORY:extra',
    'FILE:model.safetensors',
    'DIRECTORY:tok',
  ]);
  const weights = root.data!.version.tree.entries.find((e: { path: string }) => e.path === 'model.safetensors');
  expect(weights).toMatchObject({ size: files.get('model.safetensors')!.length, sha256: sha256(files.get('model.safetensors')!), format: 'SAFETENSORS' });
  const page = await t.gql(TREE, { id: draft.versionId, recursive: true, first: 2, after: 'config.json' });
  expect(page.data!.version.tree).toMatchObject({ totalCount: 7, hasNextPage: true, endCursor: 'extra/empty' });
  expect(root.data!.version.fileChanges.map((c: { action: string; path: string }) => `${c.action} ${c.path}`)).toEqual([
    ...[...files.keys()].map((f) => `ADD ${f}`),
    'CREATE_FOLDER extra/empty',
    'MOVE tok/tokenizer_config.json',
    'ADD scratch.txt',
    'REPLACE scratch.txt',
    'REMOVE scratch.txt',
  ]);

  const clash = await t.gql(`mutation($v: ID!) { moveFile(versionId: $v, from: "README.md", to: "config.json") { id } }`, { v: draft.versionId });
  expect(errorCode(clash)).toBe('CONFLICT');
  const escape = await putFile(t, draft.versionId, 'a\\b', Buffer.from('x'));
  expect(escape.status).toBe(400);
});

test('submitting verifies the uploads like an import; from INGESTING on the files are immutable', async () => {
  const draft = await draftVersion(t);
  const op = await uploadAndSubmit(t, draft.versionId, modelFiles());
  expect(op).toMatchObject({ kind: 'IMPORT', status: 'SUCCEEDED' });
  const res = await t.gql(`query($id: ID!) { version(id: $id) { status filesComplete files { path sha256 } scans { status } } }`, { id: draft.versionId });
  expect(res.data!.version.status).toBe('VERIFIED');
  expect(res.data!.version.files).toHaveLength(4);
  expect(res.data!.version.scans[0].status).toMatch(/PASSED|SKIPPED/);

  const moved = await t.gql(`mutation($v: ID!) { moveFile(versionId: $v, from: "README.md", to: "x.md") { id } }`, { v: draft.versionId });
  expect(errorCode(moved)).toBe('CONFLICT');
  expect(moved.errors![0].message).toMatch(/VERIFIED.*only change while it is DRAFT/);
  const put = await putFile(t, draft.versionId, 'late.txt', Buffer.from('late'));
  expect(put.status).toBe(409);
  const again = await t.gql(`mutation($v: ID!) { submitVersion(versionId: $v) { id } }`, { v: draft.versionId });
  expect(errorCode(again)).toBe('CONFLICT');
  const empty = await draftVersion(t);
  expect(errorCode(await t.gql(`mutation($v: ID!) { submitVersion(versionId: $v) { id } }`, { v: empty.versionId }))).toBe('CONFLICT');
});

test('a 256 MiB upload cut mid-way resumes from the bytes that arrived and stores the right sha256', async () => {
  const size = 256 * 1024 * 1024;
  const file = path.join(scratch, 'big.bin');
  const expected = await bigFile(file, size);
  const draft = await draftVersion(t);
  const headers = { authorization: `Bearer ${await t.token(Role.EDITOR)}` };
  const endpoint = `${filesUrl(t)}/uploads`;
  const metadata = { versionId: draft.versionId, path: 'weights/big.bin', sha256: expected };
  let first!: tus.Upload;
  const cut = new Promise<number>((resolve, reject) => {
    first = new tus.Upload(createReadStream(file), {
      endpoint, headers, metadata, uploadSize: size, chunkSize: 64 * 1024 * 1024, retryDelays: [],
      onProgress: (sent) => {
        if (sent > 100 * 1024 * 1024) {
          void first.abort().then(() => resolve(sent));
        }
      },
      onError: reject,
      onSuccess: () => reject(new Error('the upload finished before it was cut')),
    });
    first.start();
  });
  await cut;
  const uploadUrl = first.url!;
  const head = await fetch(uploadUrl, { method: 'HEAD', headers: { ...headers, 'tus-resumable': '1.0.0' } });
  const offset = Number(head.headers.get('upload-offset'));
  expect(offset).toBeGreaterThan(0);
  expect(offset).toBeLessThan(size);

  let resumedFrom = -1;
  await tusUpload(file, size, { uploadUrl, headers, metadata, onProgress: (sent) => (resumedFrom = resumedFrom < 0 ? sent : resumedFrom) });
  expect(resumedFrom).toBeGreaterThanOrEqual(offset); // continued, not started over
  const tree = await t.gql(TREE, { id: draft.versionId, path: 'weights' });
  expect(tree.data!.version.tree.entries).toEqual([expect.objectContaining({ path: 'weights/big.bin', size, sha256: expected })]);
  const done = await fetch(uploadUrl, { method: 'HEAD', headers: { ...headers, 'tus-resumable': '1.0.0' } });
  expect(done.headers.get('upload-offset')).toBe(String(size));
}, 240_000);

test('upload tokens write only their version, expire, and are no GraphQL tokens', async () => {
  const draft = await draftVersion(t);
  const other = await draftVersion(t);
  const command = await t.gql(`mutation($v: ID!) { uploadCommand(versionId: $v, mode: FILE) { token expiresAt curl python uploadUrl submitUrl } }`, { v: draft.versionId });
  const { token, expiresAt } = command.data!.uploadCommand;
  expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
  expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
  expect((await putFile(t, draft.versionId, 'ok.txt', Buffer.from('ok'), token)).status).toBe(201);
  const elsewhere = await putFile(t, other.versionId, 'no.txt', Buffer.from('no'), token);
  expect(elsewhere.status).toBe(403);
  const tusElsewhere = await fetch(`${filesUrl(t)}/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '2', 'upload-metadata': `versionId ${Buffer.from(other.versionId).toString('base64')},path ${Buffer.from('x').toString('base64')}` },
  });
  expect(tusElsewhere.status).toBe(403);
  const asGraphql = await t.gql(`{ licenses { id } }`, {}, { token });
  expect(errorCode(asGraphql)).toBe('UNAUTHENTICATED');

  const [{ project }] = await t.dataSource.query(`SELECT COALESCE(project, 'default') AS project FROM models WHERE id = $1`, [draft.modelId]);
  const short = await t.services.uploadTokens.issue('editor-user', draft.versionId, project, 1);
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const expired = await putFile(t, draft.versionId, 'late.txt', Buffer.from('late'), short.token);
  expect(expired.status).toBe(401);
  expect(await expired.text()).toMatch(/expired/);
  const viewer = await t.gql(`mutation($v: ID!) { uploadCommand(versionId: $v) { token } }`, { v: draft.versionId }, { as: Role.VIEWER });
  expect(errorCode(viewer)).toBe('FORBIDDEN');
});

test('the generated FOLDER commands (curl and Python) upload a model folder and submit it', async () => {
  for (const kind of ['curl', 'python'] as const) {
    const draft = await draftVersion(t);
    const res = await t.gql(`mutation($v: ID!) { uploadCommand(versionId: $v, mode: FOLDER) { curl python } }`, { v: draft.versionId });
    const cwd = path.join(scratch, `cmd-${kind}`);
    await mkdir(cwd, { recursive: true });
    await writeFolder(path.join(cwd, 'my-model'), modelFiles());
    await run('bash', ['-c', res.data!.uploadCommand[kind]], { cwd });
    const version = await t.gql(`query($id: ID!) { version(id: $id) { status } }`, { id: draft.versionId });
    expect(version.data!.version.status).not.toBe('DRAFT');
    const ops = await t.services.operations.latestForVersion(t.dataSource.manager, draft.versionId);
    const settled = await waitForOperation(t, ops!.id);
    expect(settled.status).toBe('SUCCEEDED');
    const files = await t.gql(`query($id: ID!) { version(id: $id) { status files { path sha256 } } }`, { id: draft.versionId });
    expect(files.data!.version.status).toBe('VERIFIED');
    expect(Object.fromEntries(files.data!.version.files.map((f: { path: string; sha256: string }) => [f.path, f.sha256]))).toEqual(
      Object.fromEntries([...modelFiles()].map(([p, b]) => [p, sha256(b)])),
    );
  }
}, 180_000);
