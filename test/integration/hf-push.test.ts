import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { sha256, writeFolder, modelFiles } from '../support/files-fixtures';
import { hfPython } from '../support/hf-python';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

const run = promisify(execFile);
const HF_CLI = path.resolve(__dirname, '../../.venv-hf/bin/hf');
let t: TestApp;
let scratch: string;
const project = `push-${randomBytes(3).toString('hex')}`;
const tokens: Record<'editor' | 'viewer' | 'outsider', string> = { editor: '', viewer: '', outsider: '' };

// A real model (Llama config, safetensors weights, card) and 12 MiB of text: over 10 MiB, so it goes through the
// LFS batch by size (the safetensors by its suffix), while config.json and the card travel inside the commit.
const files = modelFiles();
files.set('data/big.txt', Buffer.from(Array.from({ length: 200_000 }, (_, i) => `row ${i} ${'y'.repeat(56)}\n`).join('')));

beforeAll(async () => {
  t = await startTestApp({ worker: true, env: { UPLOAD_MAX_BYTES: String(64 * 1024 * 1024) } });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-hf-push-'));
  const mint = (subject: string, grants: [string, Role[]][]) => issueToken(t.config.auth, subject, [], 3600, new Map(grants)).then((jwt) => `hf_${jwt}`);
  tokens.editor = await mint('pusher', [[project, [Role.EDITOR]]]);
  tokens.viewer = await mint('looker', [[project, [Role.VIEWER]]]);
  tokens.outsider = await mint('outsider', [[`${project}-other`, [Role.EDITOR]]]);
}, 120_000);
afterAll(async () => {
  await t.stop();
  await rm(scratch, { recursive: true, force: true });
});

const endpoint = () => `http://127.0.0.1:${t.app.port}/hf`;
const python = (script: string, env: Record<string, string> = {}) => hfPython(script, { HF_ENDPOINT: endpoint(), HF_TOKEN: tokens.editor, ...env });
const expected = (set: Map<string, Buffer>) => Object.fromEntries([...set].map(([p, b]) => [p, sha256(b)]));

/** The versions of a model by number, once none of them is still being verified. */
async function settledVersions(name: string, timeoutMs = 120_000): Promise<Record<string, { status: string; files: Record<string, string>; changelog: string | null }>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.gql(`query($n: String!) { modelByName(name: $n) { versions { version status changelog files { path sha256 } } } }`, { n: name }, { as: Role.ADMIN });
    const versions = (res.data?.modelByName?.versions ?? []) as { version: string; status: string; changelog: string | null; files: { path: string; sha256: string }[] }[];
    if (versions.length > 0 && versions.every((v) => !['INGESTING', 'SCANNING'].includes(v.status))) {
      return Object.fromEntries(versions.map((v) => [v.version, { status: v.status, changelog: v.changelog, files: Object.fromEntries(v.files.map((f) => [f.path, f.sha256])) }]));
    }
    if (Date.now() > deadline) throw new Error(`versions of ${name} did not settle: ${JSON.stringify(res.data ?? res.errors)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const snapshotScript = `
import hashlib, json, os
from huggingface_hub import snapshot_download
folder = snapshot_download(repo_id=os.environ["REPO"], revision=os.environ["REV"], cache_dir=os.environ["CACHE"])
print(json.dumps({os.path.relpath(os.path.join(d, n), folder).replace(os.sep, "/"): hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
                  for d, _, ns in os.walk(folder) for n in ns}))
`;

test('create_repo + upload_folder push a version that reaches VERIFIED; a branch is a version; main makes the next patch', async () => {
  const name = uniqueName('pushed');
  const repo = `${project}/${name}`;
  const folder = path.join(scratch, 'model');
  await writeFolder(folder, files);
  const pushed = JSON.parse(
    await python(
      `
import json, os
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
api = HfApi()
url = api.create_repo(os.environ["REPO"])
again = api.create_repo(os.environ["REPO"], exist_ok=True)
try:
    api.create_repo(os.environ["REPO"])
    twice = None
except HfHubHTTPError as e:
    twice = e.response.status_code
info = api.upload_folder(repo_id=os.environ["REPO"], folder_path=os.environ["FOLDER"], commit_message="First weights", commit_description="from upload_folder")
print(json.dumps({"url": str(url), "repo_id": url.repo_id, "again": again.repo_id, "twice": twice, "oid": info.oid}))
`,
      { REPO: repo, FOLDER: folder },
    ),
  );
  expect(pushed).toMatchObject({ url: `${endpoint()}/${repo}`, repo_id: repo, again: repo, twice: 409, oid: expect.stringMatching(/^[0-9a-f]{40}$/) });
  // The safetensors and the 12 MiB file went through the LFS batch and its upload URL; config.json inside the commit.
  const lfs = (await t.dataSource.query(
    `SELECT o.oid FROM hub_lfs_objects o JOIN models m ON m.id = o.model_id WHERE m.name = $1 AND o.stored_at IS NOT NULL ORDER BY o.oid`,
    [name],
  )) as { oid: string }[];
  expect(lfs.map((r) => r.oid)).toEqual([sha256(files.get('data/big.txt')!), sha256(files.get('model.safetensors')!)].sort());

  let versions = await settledVersions(name);
  expect(versions['1.0.0']).toEqual({ status: 'VERIFIED', files: expected(files), changelog: 'First weights\n\nfrom upload_folder' });
  const byCommit = JSON.parse(await python(snapshotScript, { REPO: repo, REV: pushed.oid, CACHE: path.join(scratch, 'cache-1') }));
  expect(byCommit).toEqual(expected(files));

  // A branch is a version: create_branch opens DRAFT 1.2.0 from main's files, a commit to it fills and submits it.
  const card = Buffer.from('---\nlicense: apache-2.0\n---\n# Pushed, then changed on a branch\n');
  await python(
    `
import os
from huggingface_hub import HfApi
api = HfApi()
api.create_branch(os.environ["REPO"], branch="1.2.0")
api.upload_file(path_or_fileobj=os.environ["CARD"].encode(), path_in_repo="README.md", repo_id=os.environ["REPO"], revision="1.2.0", commit_message="A better card")
`,
    { REPO: repo, CARD: card.toString() },
  );
  // A commit to main makes the next patch of main (1.0.1), from main's files, and moves main once verified.
  await python(
    `
import os
from huggingface_hub import HfApi
HfApi().delete_file("tokenizer/tokenizer_config.json", repo_id=os.environ["REPO"], commit_message="No tokenizer")
`,
    { REPO: repo },
  );
  versions = await settledVersions(name);
  const branchFiles = new Map([...files, ['README.md', card]]);
  expect(versions['1.2.0']).toMatchObject({ status: 'VERIFIED', files: expected(branchFiles), changelog: 'A better card' });
  const mainFiles = new Map([...files].filter(([p]) => p !== 'tokenizer/tokenizer_config.json'));
  expect(versions['1.0.1']).toMatchObject({ status: 'VERIFIED', files: expected(mainFiles) });
  expect(Object.keys(versions).sort()).toEqual(['1.0.0', '1.0.1', '1.2.0']);
  expect(JSON.parse(await python(snapshotScript, { REPO: repo, REV: 'main', CACHE: path.join(scratch, 'cache-2') }))).toEqual(expected(mainFiles));

  // A submitted branch takes no further commit: its files are what was verified.
  const closed = await python(
    `
import os
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
try:
    HfApi().upload_file(path_or_fileobj=b"late", path_in_repo="late.txt", repo_id=os.environ["REPO"], revision="1.2.0")
except HfHubHTTPError as e:
    print(e.response.status_code, e.response.headers.get("x-error-message"))
`,
    { REPO: repo },
  );
  expect(closed).toMatch(/^409 Version 1\.2\.0 is VERIFIED: an earlier commit submitted it/);

  const views = JSON.parse(
    await python(
      `
import json, os
from huggingface_hub import HfApi
api = HfApi()
refs = api.list_repo_refs(os.environ["REPO"])
commits = api.list_repo_commits(os.environ["REPO"])
models = api.list_models(author=os.environ["PROJECT"], search=os.environ["NAME"][:-2])
print(json.dumps({"branches": sorted(b.name for b in refs.branches), "tags": sorted(t.name for t in refs.tags),
                  "main": [b.target_commit for b in refs.branches if b.name == "main"],
                  "commits": [[c.title, c.authors] for c in commits], "models": [m.id for m in models]}))
`,
      { REPO: repo, PROJECT: project, NAME: name },
    ),
  );
  expect(views.branches).toEqual(['main']);
  expect(views.tags).toEqual(['1.0.0', '1.0.1', '1.2.0']);
  expect(views.commits).toEqual([['No tokenizer (1.0.1)', ['pusher']], ['First weights (1.0.0)', ['pusher']]]);
  expect(views.models).toContain(repo);
}, 300_000);

test('`hf upload` (the CLI) creates the repository and the branch it names, and the version reaches VERIFIED', async () => {
  const name = uniqueName('cli');
  const folder = path.join(scratch, 'cli-model');
  const small = new Map([...modelFiles()]);
  await writeFolder(folder, small);
  const env = { PATH: process.env.PATH ?? '', HOME: scratch, HF_ENDPOINT: endpoint(), HF_TOKEN: tokens.editor, HF_HUB_DISABLE_XET: '1', HF_HUB_DISABLE_TELEMETRY: '1' };
  await run(HF_CLI, ['upload', `${project}/${name}`, folder, '.', '--revision', '2.0.0', '--commit-message', 'From the CLI'], { env });
  expect((await settledVersions(name))['2.0.0']).toEqual({ status: 'VERIFIED', files: expected(small), changelog: 'From the CLI' });
  // 2.0.0, the first verified version, is main now: a file pushed to main makes 2.0.1 from its files.
  await run(HF_CLI, ['upload', `${project}/${name}`, path.join(folder, 'config.json'), 'extra/config.json'], { env });
  const versions = await settledVersions(name);
  expect(versions['2.0.1']).toMatchObject({ status: 'VERIFIED', files: expected(new Map([...small, ['extra/config.json', small.get('config.json')!]])) });
}, 300_000);

test('pushes are scoped: another project\'s token finds no repository, a viewer may not push', async () => {
  const name = uniqueName('guarded');
  const repo = `${project}/${name}`;
  await python(`import os\nfrom huggingface_hub import HfApi\nHfApi().create_repo(os.environ["REPO"])`, { REPO: repo });
  const attempt = (token: string) =>
    python(
      `
import os
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
for call in [lambda api: api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=os.environ["REPO"]),
             lambda api: api.create_branch(os.environ["REPO"], branch="3.0.0"),
             lambda api: api.create_repo(os.environ["PROJECT"] + "/intruder-" + os.environ["NAME"])]:
    try:
        call(HfApi())
        print("ok")
    except RepositoryNotFoundError:
        print("RepositoryNotFound")
    except HfHubHTTPError as e:
        print(e.response.status_code)
`,
      { REPO: repo, HF_TOKEN: token, PROJECT: project, NAME: name },
    );
  expect((await attempt(tokens.outsider)).trim().split('\n')).toEqual(['RepositoryNotFound', 'RepositoryNotFound', '404']);
  expect((await attempt(tokens.viewer)).trim().split('\n')).toEqual(['403', '403', '403']);
  const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = $1`, [name])) as { n: number }[];
  expect(n).toBe(0);
}, 120_000);

test('LFS uploads are checked: a wrong sha256 or a cut body stores nothing, a commit cannot name bytes it did not send, bad ndjson is a 400', async () => {
  const name = uniqueName('lfs');
  const repo = `${project}/${name}`;
  const auth = { authorization: `Bearer ${tokens.editor}` };
  await python(`import os\nfrom huggingface_hub import HfApi\nHfApi().create_repo(os.environ["REPO"])`, { REPO: repo });
  const bytes = randomBytes(256 * 1024);
  const oid = sha256(bytes);
  const batch = async (objects: { oid: string; size: number }[]) => {
    const res = await fetch(`${endpoint()}/${repo}.git/info/lfs/objects/batch`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/vnd.git-lfs+json', accept: 'application/vnd.git-lfs+json' },
      body: JSON.stringify({ operation: 'upload', transfers: ['basic', 'multipart'], objects, hash_algo: 'sha256' }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { objects: { oid: string; actions?: { upload: { href: string } }; error?: { code: number; message: string } }[] }).objects;
  };
  const stored = () => t.dataSource.query(`SELECT count(*)::int AS n FROM hub_lfs_objects WHERE oid = $1 AND stored_at IS NOT NULL`, [oid]).then((r: { n: number }[]) => r[0].n);

  // Other bytes of the same length: refused, nothing stored.
  const [first] = await batch([{ oid, size: bytes.length }]);
  const wrong = await fetch(first.actions!.upload.href, { method: 'PUT', body: randomBytes(bytes.length) });
  expect(wrong.status).toBe(400);
  expect(await wrong.text()).toMatch(/sha256 mismatch/);
  expect(await stored()).toBe(0);
  expect(await t.services.stores.defaultStore.store.has(oid)).toBe(false);

  // A body cut halfway (the connection drops): nothing stored, and the ticket still takes the whole upload later.
  await new Promise<void>((resolve) => {
    const url = new URL(first.actions!.upload.href);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { 'content-length': String(bytes.length) } });
    req.on('error', () => resolve());
    req.write(bytes.subarray(0, bytes.length / 2), () => setTimeout(() => { req.destroy(); resolve(); }, 200));
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await stored()).toBe(0);

  // A commit naming an object never sent is refused, and so is malformed ndjson: both with what went wrong.
  const commit = (body: string) => fetch(`${endpoint()}/api/models/${repo}/commit/main`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
  const header = JSON.stringify({ key: 'header', value: { summary: 's', description: '' } });
  const unsent = await commit(`${header}\n${JSON.stringify({ key: 'lfsFile', value: { path: 'w.bin', algo: 'sha256', oid, size: bytes.length } })}\n`);
  expect([unsent.status, ((await unsent.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/LFS object [0-9a-f]{64} for "w\.bin" was not uploaded/)]);
  const garbled = await commit(`${header}\n{"key": "file", "value": {"path": "a.txt", "content": "YQ=="}}\nnot json\n`);
  expect([garbled.status, ((await garbled.json()) as { error: string }).error]).toEqual([400, 'body: line 3 is not JSON (the commit body is ndjson: one JSON object a line)']);
  const headless = await commit(`${JSON.stringify({ key: 'file', value: { path: 'a.txt', content: 'YQ==' } })}\n`);
  expect(headless.status).toBe(400);
  const [{ n: versions }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = $1`, [name])) as { n: number }[];
  expect(versions).toBe(0);

  // The whole, right bytes: stored, verified, committable.
  const put = await fetch(first.actions!.upload.href, { method: 'PUT', body: bytes });
  expect(put.status).toBe(200);
  const verify = await fetch(`${endpoint()}/${repo}.git/info/lfs/objects/verify`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ oid, size: bytes.length }) });
  expect(verify.status).toBe(200);
  expect(await stored()).toBe(1);
  // Over the size limit (UPLOAD_MAX_BYTES, 64 MiB here): the batch answers an error for that object, the preupload a 400.
  const [tooBig] = await batch([{ oid: 'b'.repeat(64), size: 65 * 1024 * 1024 }]);
  expect(tooBig.error).toEqual({ code: 422, message: expect.stringContaining('UPLOAD_MAX_BYTES') });
  const pre = await fetch(`${endpoint()}/api/models/${repo}/preupload/main`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ files: [{ path: 'huge.bin', size: 65 * 1024 * 1024, sample: '' }] }),
  });
  expect(pre.status).toBe(400);
  // A client left with Xet on (hf_xet installed, HF_HUB_DISABLE_XET unset) fails on the Xet token, before any byte:
  // our 501 names the variable, though hf_xet prints only the status and the URL (hence the README's warning).
  await writeFile(path.join(scratch, 'xet.safetensors'), randomBytes(1024));
  const xet = await fetch(`${endpoint()}/api/models/${repo}/xet-write-token/main`, { headers: auth });
  expect([xet.status, xet.headers.get('x-error-message')]).toEqual([501, expect.stringContaining('HF_HUB_DISABLE_XET=1')]);
  const withXet = await python(
    `
import os
from huggingface_hub import HfApi
try:
    HfApi().upload_file(path_or_fileobj=os.environ["FILE"], path_in_repo="w.safetensors", repo_id=os.environ["REPO"])
except Exception as e:
    print(type(e).__name__, e)
`,
    { REPO: repo, HF_HUB_DISABLE_XET: '', FILE: path.join(scratch, 'xet.safetensors') },
  ).catch((error: Error) => error.message);
  expect(withXet).toMatch(/501 Not Implemented.*xet-write-token/);
}, 120_000);

test('quotas hold for pushes: an LFS batch past the project quota is a 507 storing nothing, a commit whose files pass it is rolled back', async () => {
  const quoted = `${project}-quota`;
  const name = uniqueName('quota');
  const repo = `${quoted}/${name}`;
  const token = `hf_${await issueToken(t.config.auth, 'pusher', [], 3600, new Map([[quoted, [Role.EDITOR]]]))}`;
  const auth = { authorization: `Bearer ${token}` };
  await python(`import os\nfrom huggingface_hub import HfApi\nHfApi().create_repo(os.environ["REPO"])`, { REPO: repo, HF_TOKEN: token });
  const quota = async (input: Record<string, unknown>) => {
    const res = await t.gql(`mutation($i: ConfigureProjectStorageInput!) { configureProjectStorage(input: $i) { quotaBytes } }`, { i: { project: quoted, ...input } }, { as: Role.ADMIN });
    expect(res.errors).toBeUndefined();
  };
  await quota({ quotaBytes: '100000' });
  try {
    const batch = (objects: { oid: string; size: number }[]) =>
      fetch(`${endpoint()}/${repo}.git/info/lfs/objects/batch`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/vnd.git-lfs+json', accept: 'application/vnd.git-lfs+json' },
        body: JSON.stringify({ operation: 'upload', transfers: ['basic'], objects, hash_algo: 'sha256' }),
      });
    // Two objects that fit one by one but not together: the whole batch is refused, no ticket written.
    const big = [randomBytes(60_000), randomBytes(60_000)];
    const refused = await batch(big.map((b) => ({ oid: sha256(b), size: b.length })));
    expect(refused.status).toBe(507);
    expect(((await refused.json()) as { error: string }).error).toContain(`storage quota of project "${quoted}" exceeded: 0 bytes used + 120000 new > 100000 allowed`);
    const [{ n: tickets }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM hub_lfs_objects WHERE oid = ANY($1)`, [big.map((b) => sha256(b))])) as { n: number }[];
    expect(tickets).toBe(0);
    // One fits; a second batch then counts the first's uploaded, not yet committed bytes.
    const fits = await batch([{ oid: sha256(big[0]), size: big[0].length }]);
    expect(fits.status).toBe(200);
    const [ticket] = ((await fits.json()) as { objects: { actions: { upload: { href: string } } }[] }).objects;
    expect((await fetch(ticket.actions.upload.href, { method: 'PUT', body: big[0] })).status).toBe(200);
    expect((await batch([{ oid: sha256(big[1]), size: big[1].length }])).status).toBe(507);
    // Asking again for the object already sent is no new bytes.
    expect((await batch([{ oid: sha256(big[0]), size: big[0].length }])).status).toBe(200);

    // A commit whose regular files pass the quota: 507, and no version, no file of it, is left.
    const header = JSON.stringify({ key: 'header', value: { summary: 'too much', description: '' } });
    const lfsLine = JSON.stringify({ key: 'lfsFile', value: { path: 'weights.bin', algo: 'sha256', oid: sha256(big[0]), size: big[0].length } });
    const inline = JSON.stringify({ key: 'file', value: { path: 'data.bin', content: randomBytes(60_000).toString('base64'), encoding: 'base64' } });
    const commit = (body: string) => fetch(`${endpoint()}/api/models/${repo}/commit/main`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
    const over = await commit(`${header}\n${lfsLine}\n${inline}\n`);
    expect(over.status).toBe(507);
    expect(((await over.json()) as { error: string }).error).toContain('storage quota');
    const versions = async () =>
      ((await t.dataSource.query(`SELECT count(*)::int AS n FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = $1`, [name])) as { n: number }[])[0].n;
    expect(await versions()).toBe(0);
    // Regular files past the quota are refused as they arrive: their bytes are never stored.
    const bulky = randomBytes(120_000);
    const early = await commit(`${header}\n${JSON.stringify({ key: 'file', value: { path: 'bulky.bin', content: bulky.toString('base64'), encoding: 'base64' } })}\n`);
    expect(early.status).toBe(507);
    expect(((await early.json()) as { error: string }).error).toContain(`storage quota of project "${quoted}" exceeded: 0 bytes used + 120000 new > 100000 allowed`);
    expect(await t.services.stores.defaultStore.store.has(sha256(bulky))).toBe(false);
    expect(await versions()).toBe(0);
    // The uploaded object alone fits: committed, the version is made.
    const ok = await commit(`${header}\n${lfsLine}\n`);
    expect(ok.status).toBe(200);
    expect(await versions()).toBe(1);
  } finally {
    await quota({ clearQuota: true });
  }
}, 120_000);
