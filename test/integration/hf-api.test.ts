import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { downloadFile, listFiles, modelInfo, snapshotDownload } from '@huggingface/hub';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { errorCode, registerModel } from '../support/catalog-fixtures';
import { startCuttingProxy } from '../support/cutting-proxy';
import { draftVersion, filesUrl, modelFiles, sha256, uploadAndSubmit } from '../support/files-fixtures';
import { hfPython } from '../support/hf-python';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

const run = promisify(execFile);
let t: TestApp;
let scratch: string;
let repo: { namespace: string; name: string; modelId: string; v1: string; v2: string };
const files = modelFiles();
// 24 MiB of text (formats without a scanner of their own are only ClamAV-scanned): huggingface_hub reads 10 MiB
// chunks and resumes from the last whole one, so the cut comes after the first.
files.set('data/big.txt', Buffer.from(Array.from({ length: 400_000 }, (_, i) => `line ${i} ${'x'.repeat(50)}\n`).join('')));
const filesV2 = new Map([...files, ['config.json', Buffer.from('{"model_type":"llama","architectures":["LlamaForCausalLM"],"v":2}')]]);

async function hfToken(role: Role = Role.VIEWER): Promise<string> {
  return `hf_${await t.token(role)}`;
}

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-hf-'));
  const model = await registerModel(t, { name: uniqueName('hf'), sourceType: 'CUSTOM' });
  const first = await draftVersion(t, '1.0.0', model.id);
  expect(await uploadAndSubmit(t, first.versionId, files)).toMatchObject({ status: 'SUCCEEDED' });
  const second = await draftVersion(t, '1.1.0', model.id);
  expect(await uploadAndSubmit(t, second.versionId, filesV2)).toMatchObject({ status: 'SUCCEEDED' });
  repo = { namespace: String(model.project ?? 'default'), name: model.name, modelId: model.id, v1: first.versionId, v2: second.versionId };
}, 180_000);
afterAll(async () => {
  await t.stop();
  await rm(scratch, { recursive: true, force: true });
});

const hubUrl = () => `http://127.0.0.1:${t.app.port}/hf`;
const repoId = () => `${repo.namespace}/${repo.name}`;

async function hashesUnder(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() || entry.isSymbolicLink()) {
      const full = path.join(entry.parentPath, entry.name);
      if ((await stat(full)).isFile()) found[path.relative(dir, full).split(path.sep).join('/')] = sha256(await readFile(full));
    }
  }
  return found;
}

const expected = (set: Map<string, Buffer>) => Object.fromEntries([...set].map(([p, b]) => [p, sha256(b)]));

test('aliases: editors move their own, `production` needs an approver, every move is recorded, the hub resolves them', async () => {
  const set = (name: string, versionId: string, as: Role) =>
    t.gql(`mutation($m: ID!, $n: String!, $v: ID!) { setAlias(modelId: $m, name: $n, versionId: $v, reason: "test") { name versionId protected } }`, { m: repo.modelId, n: name, v: versionId }, { as });
  expect(errorCode(await set('production', repo.v1, Role.EDITOR))).toBe('FORBIDDEN');
  expect((await set('production', repo.v1, Role.APPROVER)).data!.setAlias).toEqual({ name: 'production', versionId: repo.v1, protected: true });
  expect((await set('staging', repo.v2, Role.EDITOR)).data!.setAlias).toMatchObject({ name: 'staging', protected: false });
  expect(errorCode(await set('main', repo.v2, Role.EDITOR))).toBe('BAD_USER_INPUT');
  const draft = await draftVersion(t, '9.0.0', repo.modelId);
  expect(errorCode(await set('staging', draft.versionId, Role.EDITOR))).toBe('CONFLICT');

  const read = await t.gql(
    `query($n: String!) { modelByName(name: $n) { production: alias(name: "production") { version } aliases { name protected version { version } }
       aliasHistory { alias fromVersionId toVersionId actor reason } }
       versionByAlias(model: $n, alias: "staging") { version aliases } }`,
    { n: repo.name },
    { as: Role.VIEWER },
  );
  expect(read.data!.modelByName.production).toEqual({ version: '1.0.0' });
  expect(read.data!.versionByAlias).toEqual({ version: '1.1.0', aliases: ['staging'] });
  // The model's first verified version became its default on its own (the system's move, recorded too).
  expect(read.data!.modelByName.aliasHistory).toEqual([
    { alias: 'staging', fromVersionId: null, toVersionId: repo.v2, actor: 'editor-user', reason: 'test' },
    { alias: 'production', fromVersionId: null, toVersionId: repo.v1, actor: 'approver-user', reason: 'test' },
    expect.objectContaining({ alias: 'default', fromVersionId: null, toVersionId: repo.v1, actor: expect.stringMatching(/^system:/) }),
  ]);
  const audited = await t.dataSource.query(`SELECT action, subject_id FROM audit_log WHERE model_id = $1 AND action LIKE 'alias.%' AND subject_id <> 'default' ORDER BY occurred_at`, [repo.modelId]);
  expect(audited).toEqual([{ action: 'alias.set', subject_id: 'production' }, { action: 'alias.set', subject_id: 'staging' }]);

  // `default` is the default version; the hub's `main` resolves to it.
  expect((await set('default', repo.v2, Role.EDITOR)).data!.setAlias).toMatchObject({ name: 'default', versionId: repo.v2 });
  const info = await modelInfo({ name: repoId(), hubUrl: hubUrl(), accessToken: await hfToken(), revision: 'main', additionalFields: ['sha'] });
  const prod = await modelInfo({ name: repoId(), hubUrl: hubUrl(), accessToken: await hfToken(), revision: 'production', additionalFields: ['sha'] });
  expect(info.sha).not.toBe(prod.sha);
  const removed = await t.gql(`mutation($m: ID!) { removeAlias(modelId: $m, name: "production") }`, { m: repo.modelId }, { as: Role.EDITOR });
  expect(errorCode(removed)).toBe('FORBIDDEN');
});

test('downloads: Range, ETag = sha256, 304, 416, auth, counts, and a folder as a streamed tar', async () => {
  const url = `${filesUrl(t)}/versions/${repo.v1}/download/config.json`;
  const viewer = { authorization: `Bearer ${await t.token(Role.VIEWER)}` };
  const before = (await t.gql(`query($id: ID!) { version(id: $id) { downloadCount } }`, { id: repo.v1 })).data!.version.downloadCount;
  const whole = await fetch(url, { headers: viewer });
  expect(whole.status).toBe(200);
  expect(whole.headers.get('etag')).toBe(`"${sha256(files.get('config.json')!)}"`);
  expect(Buffer.from(await whole.arrayBuffer())).toEqual(files.get('config.json'));
  const slice = await fetch(url, { headers: { ...viewer, range: 'bytes=5-9' } });
  expect(slice.status).toBe(206);
  expect(slice.headers.get('content-range')).toBe(`bytes 5-9/${files.get('config.json')!.length}`);
  expect(Buffer.from(await slice.arrayBuffer())).toEqual(files.get('config.json')!.subarray(5, 10));
  expect((await fetch(url, { headers: { ...viewer, 'if-none-match': whole.headers.get('etag')! } })).status).toBe(304);
  expect((await fetch(url, { headers: { ...viewer, range: 'bytes=999999-' } })).status).toBe(416);
  expect((await fetch(url)).status).toBe(401);
  const after = (await t.gql(`query($id: ID!) { version(id: $id) { downloadCount } }`, { id: repo.v1 })).data!.version.downloadCount;
  expect(after).toBe(before + 1);

  const draft = await draftVersion(t, '9.1.0', repo.modelId);
  await fetch(`${filesUrl(t)}/versions/${draft.versionId}/upload/x.txt`, { method: 'PUT', headers: { authorization: `Bearer ${await t.token(Role.EDITOR)}` }, body: 'x' });
  expect((await fetch(`${filesUrl(t)}/versions/${draft.versionId}/download/x.txt`, { headers: viewer })).status).toBe(403);

  const tar = await fetch(`${filesUrl(t)}/versions/${repo.v1}/tar`, { headers: viewer });
  expect(tar.status).toBe(200);
  const archive = path.join(scratch, 'v1.tar');
  await writeFile(archive, Buffer.from(await tar.arrayBuffer()));
  expect((await stat(archive)).size).toBe(Number(tar.headers.get('content-length')));
  const out = path.join(scratch, 'untar');
  await run('mkdir', ['-p', out]);
  await run('tar', ['-xf', archive, '-C', out]);
  expect(await hashesUnder(out)).toEqual(expected(files));
  const folder = await fetch(`${filesUrl(t)}/versions/${repo.v1}/tar?path=tokenizer`, { headers: viewer });
  const listing = path.join(scratch, 'tok.tar');
  await writeFile(listing, Buffer.from(await folder.arrayBuffer()));
  expect((await run('tar', ['-tf', listing])).stdout.trim()).toBe('tokenizer/tokenizer_config.json');
});

test('huggingface_hub (Python) snapshot_download and hf_hub_download get byte-identical files', async () => {
  const script = `
import hashlib, json, os
from huggingface_hub import snapshot_download, hf_hub_download
from huggingface_hub.errors import EntryNotFoundError
repo, token, cache = os.environ["REPO"], os.environ["TOKEN"], os.environ["CACHE"]
result = {}
for rev in ["production", "1.1.0", "main"]:
    folder = snapshot_download(repo_id=repo, revision=rev, cache_dir=cache, token=token)
    result[rev] = {os.path.relpath(os.path.join(d, n), folder).replace(os.sep, "/"): hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
                   for d, _, ns in os.walk(folder) for n in ns}
single = hf_hub_download(repo_id=repo, filename="config.json", revision="1.0.0", cache_dir=cache, token=token)
result["single"] = hashlib.sha256(open(single, "rb").read()).hexdigest()
try:
    hf_hub_download(repo_id=repo, filename="nope.bin", revision="1.0.0", cache_dir=cache, token=token)
except EntryNotFoundError:
    result["missing"] = "EntryNotFoundError"
print(json.dumps(result))
`;
  await t.gql(`mutation($m: ID!, $v: ID!) { setAlias(modelId: $m, name: "production", versionId: $v) { name } }`, { m: repo.modelId, v: repo.v1 }, { as: Role.APPROVER });
  const out = JSON.parse(await hfPython(script, { HF_ENDPOINT: hubUrl(), REPO: repoId(), TOKEN: await hfToken(), CACHE: path.join(scratch, 'py-cache') }));
  expect(out.production).toEqual(expected(files));
  expect(out['1.1.0']).toEqual(expected(filesV2));
  expect(out.single).toBe(sha256(files.get('config.json')!));
  expect(out.missing).toBe('EntryNotFoundError');
}, 120_000);

test('a download cut mid-body resumes with Range (huggingface_hub through a proxy that drops the connection)', async () => {
  const proxy = await startCuttingProxy(t.app.port, 'data/big.txt', 14 * 1024 * 1024);
  try {
    const script = `
import hashlib, os
from huggingface_hub import hf_hub_download
p = hf_hub_download(repo_id=os.environ["REPO"], filename="data/big.txt", revision="1.0.0", cache_dir=os.environ["CACHE"], token=os.environ["TOKEN"])
print(hashlib.sha256(open(p, "rb").read()).hexdigest())
`;
    const out = await hfPython(script, { HF_ENDPOINT: `${proxy.url}/hf`, REPO: repoId(), TOKEN: await hfToken(), CACHE: path.join(scratch, 'py-cut') });
    expect(out.trim()).toBe(sha256(files.get('data/big.txt')!));
    const gets = proxy.requests.filter((r) => r.startsWith('GET') && r.includes('data/big.txt'));
    expect(gets.length).toBe(2);
    expect(gets[1]).toMatch(/\| bytes=\d+-$/);
    expect(Number(/bytes=(\d+)-/.exec(gets[1])![1])).toBeGreaterThan(0);
  } finally {
    await proxy.close();
  }
}, 120_000);

test('@huggingface/hub (Node) lists, downloads and snapshots byte-identical files; the tree pages with Link', async () => {
  const accessToken = await hfToken();
  const listed = [];
  for await (const entry of listFiles({ repo: repoId(), revision: '1.0.0', recursive: true, hubUrl: hubUrl(), accessToken })) listed.push(entry);
  expect(listed.filter((e) => e.type === 'file').map((e) => [e.path, e.lfs?.oid])).toEqual(
    [...files.keys()].sort().map((p) => [p, sha256(files.get(p)!)]),
  );
  const blob = await downloadFile({ repo: repoId(), path: 'model.safetensors', revision: 'production', hubUrl: hubUrl(), accessToken });
  expect(Buffer.from(await blob!.arrayBuffer())).toEqual(files.get('model.safetensors'));
  const snapshot = await snapshotDownload({ repo: repoId(), revision: 'main', hubUrl: hubUrl(), accessToken, cacheDir: path.join(scratch, 'js-cache') });
  expect(await hashesUnder(snapshot)).toEqual(expected(filesV2));

  const first = await fetch(`${hubUrl()}/api/models/${repoId()}/tree/1.0.0?recursive=true&limit=2`, { headers: { authorization: `Bearer ${accessToken}` } });
  const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '');
  expect(((await first.json()) as { path: string }[]).map((e: { path: string }) => e.path)).toEqual(['README.md', 'config.json']);
  expect(next).not.toBeNull();
  const second = await fetch(next![1], { headers: { authorization: `Bearer ${accessToken}` } });
  expect(((await second.json()) as { path: string }[]).map((e: { path: string }) => e.path)).toEqual(['data', 'data/big.txt']);

  const denied = await fetch(`${hubUrl()}/api/models/${repoId()}/revision/main`);
  expect(denied.status).toBe(401);
  const unknown = await fetch(`${hubUrl()}/api/models/${repo.namespace}/no-such-model/revision/main`, { headers: { authorization: `Bearer ${accessToken}` } });
  expect([unknown.status, unknown.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound']);
  const probe = await fetch(`${hubUrl()}/${repoId()}/resolve/1.0.0/config.json`, { headers: { authorization: `Bearer ${accessToken}`, range: 'bytes=0-0' } });
  expect(probe.status).toBe(206);
  expect(probe.headers.get('content-range')).toBe(`bytes 0-0/${files.get('config.json')!.length}`);
  expect(probe.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
  expect(probe.headers.get('x-linked-size')).toBe(String(files.get('config.json')!.length));
}, 120_000);

test('project isolation holds over HTTP: another project\'s token finds no files and cannot upload', async () => {
  const outsider = await issueToken(t.config.auth, 'outsider', [], 600, new Map([['elsewhere', [Role.EDITOR]]]));
  const headers = { authorization: `Bearer ${outsider}` };
  expect((await fetch(`${filesUrl(t)}/versions/${repo.v1}/download/config.json`, { headers })).status).toBe(404);
  const hub = await fetch(`${hubUrl()}/${repoId()}/resolve/1.0.0/config.json`, { headers: { authorization: `Bearer hf_${outsider}` } });
  expect([hub.status, hub.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound']);
  const draft = await draftVersion(t, '9.2.0', repo.modelId);
  // Writes too: another project's version is a 404, the very answer for an id that does not exist.
  const put = await fetch(`${filesUrl(t)}/versions/${draft.versionId}/upload/x.txt`, { method: 'PUT', headers, body: 'x' });
  const unknownId = '00000000-0000-4000-8000-000000000000';
  const none = await fetch(`${filesUrl(t)}/versions/${unknownId}/upload/x.txt`, { method: 'PUT', headers, body: 'x' });
  expect([put.status, (await put.text()).split(draft.versionId).join('<id>')]).toEqual([404, (await none.text()).split(unknownId).join('<id>')]);
});
