import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { createVersion, errorCode, recordEvidence, registerModel } from '../support/catalog-fixtures';
import { draftVersion, sha256 } from '../support/files-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/** The rough edges of a newcomer's first hour (issue 25's smaller items), each through the real endpoint or command. */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.stop();
});

const TREE = `query($id: ID!) { version(id: $id) { tree(path: "", recursive: true, first: 100) { entries { type path sha256 } } } }`;

async function storedFiles(versionId: string): Promise<Record<string, string>> {
  const res = await t.gql(TREE, { id: versionId });
  const entries: { type: string; path: string; sha256: string }[] = res.data!.version.tree.entries;
  return Object.fromEntries(entries.filter((e) => e.type === 'FILE').map((e) => [e.path, e.sha256]));
}

/** The generated curl script as a user pastes it, pointed at `target` instead of the placeholder path. */
async function curlScript(versionId: string, mode: 'FILE' | 'FOLDER', target: string): Promise<string> {
  const res = await t.gql(`mutation($v: ID!, $m: UploadMode) { uploadCommand(versionId: $v, mode: $m) { curl } }`, { v: versionId, m: mode });
  expect(res.errors).toBeUndefined();
  const script: string = res.data!.uploadCommand.curl;
  const placeholder = mode === 'FILE' ? /^FILE=.*$/m : /^DIR=.*$/m;
  expect(script).toMatch(placeholder);
  return script.replace(placeholder, `${mode === 'FILE' ? 'FILE' : 'DIR'}='${target.replace(/'/g, `'\\''`)}'`);
}

describe('the generated curl upload script', () => {
  const NAMES = ['my model.safetensors', 'ünïcödé/頭.json', 'notes #1.txt', 'what?.md', 'sub dir/brackets [1] & 100%.bin', "it's.txt"];

  test.each(['dash', 'bash'])('uploads a folder whose names hold spaces, unicode, #, ?, brackets and quotes (run by %s)', async (shell) => {
    const draft = await draftVersion(t);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'upload script '));
    const expected: Record<string, string> = {};
    for (const name of NAMES) {
      const bytes = Buffer.from(`bytes of ${name}`);
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), bytes);
      expected[name] = sha256(bytes);
    }
    const { stdout } = await run(shell, ['-c', await curlScript(draft.versionId, 'FOLDER', dir)], { timeout: 60_000 });
    for (const name of NAMES) expect(stdout).toContain(`uploaded ${name}`);
    expect(await storedFiles(draft.versionId)).toEqual(expected);
  });

  test('uploads one file with a space and a # in its name', async () => {
    const draft = await draftVersion(t);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'upload-file-'));
    const file = path.join(dir, 'my weights #2.safetensors');
    await writeFile(file, Buffer.from('weights'));
    await run('sh', ['-c', await curlScript(draft.versionId, 'FILE', file)], { timeout: 60_000 });
    expect(await storedFiles(draft.versionId)).toEqual({ 'my weights #2.safetensors': sha256(Buffer.from('weights')) });
  });
});

describe('npm run token', () => {
  const token = (args: string[]) => run(process.execPath, ['-r', './test/support/ts-register.js', 'src/cli/token.ts', ...args], { cwd: ROOT, env: { ...process.env, ...t.env } });

  test('refuses a --ttl the server would refuse, saying the limit and the setting', async () => {
    const refused = await token(['--ttl', '999999']).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain('--ttl 999999 is longer than the 86400 s a token may live on this server (TOKEN_MAX_LIFETIME_S)');
  });

  test('mints a token at the limit that the server accepts', async () => {
    const { stdout } = await token(['--ttl', '86400', '--sub', 'ttl-user']);
    const res = await t.gql('{ licenses { id } }', {}, { token: stdout.trim() });
    expect(res.errors).toBeUndefined();
  });

  test('a project named twice gets the roles of both flags', async () => {
    const { stdout } = await token(['--project', 'vision=editor', '--project', 'vision=approver', '--sub', 'twice']);
    const claims = JSON.parse(Buffer.from(stdout.trim().split('.')[1], 'base64url').toString('utf8')) as { projects: Record<string, string[]> };
    expect(claims.projects).toEqual({ vision: ['editor', 'approver'] });
  });
});

describe('/hf error messages', () => {
  test('a bad token gets the hub client\'s exact invalid-credentials message; other messages are readable, not percent-encoded', async () => {
    const base = t.app.url.replace(/\/graphql$/, '/hf');
    const bad = await fetch(`${base}/api/models/default/anything`, { headers: { authorization: 'Bearer hf_not-a-token' } });
    expect([bad.status, bad.headers.get('x-error-message')]).toEqual([401, 'Invalid credentials in Authorization header']);

    const model = await registerModel(t, { sourceType: 'CUSTOM' });
    await createVersion(t, model.id, '1.0.0');
    const viewer = await t.token(Role.VIEWER, 'hf-reader');
    const missing = await fetch(`${base}/${model.project ?? 'default'}/${model.name}/resolve/main/no such file.bin`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    const message = missing.headers.get('x-error-message') ?? '';
    expect(message).not.toBe('');
    expect(message).not.toMatch(/%20/);
    expect(message).toContain(' ');
  });
});

describe('leaderboard', () => {
  test('an unknown metric is BAD_USER_INPUT naming the known ones; a known one still answers', async () => {
    const unknown = await t.gql(`{ leaderboard(metric: "mmlu_typo_${Date.now()}", first: 5) { entries { rank } } }`);
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].message).toMatch(/metrics known are ttft_p50_ms, ttft_p99_ms, .*throughput_tokens_per_second/);

    const model = await registerModel(t, { sourceType: 'CUSTOM' });
    const version = await createVersion(t, model.id, '1.0.0');
    await recordEvidence(t, version.id);
    const known = await t.gql(`{ leaderboard(metric: "mmlu", first: 100) { entries { model { id } } } }`);
    expect(known.errors).toBeUndefined();
    const again = await t.gql(`{ leaderboard(metric: "nosuch_${Date.now()}", first: 5) { entries { rank } } }`);
    expect(again.errors![0].message).toContain('mmlu');
    // A known metric with nothing to show under the filters is still an empty board, not an error.
    const filtered = await t.gql(`{ leaderboard(metric: "mmlu", first: 5, tags: ["${uniqueName('no-such-tag')}"]) { entries { rank } } }`);
    expect([filtered.errors, filtered.data!.leaderboard.entries]).toEqual([undefined, []]);
  });
});

describe('audit log', () => {
  test('totalCount counts the entries matching the filter that the caller may read', async () => {
    const project = uniqueName('audit-count').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
    const model = await registerModel(t, { sourceType: 'CUSTOM', project });
    await createVersion(t, model.id, '1.0.0');
    await createVersion(t, model.id, '1.1.0');
    const AUDIT = `query($m: ID, $a: String) { auditLog(modelId: $m, action: $a, first: 1) { totalCount edges { node { action } } pageInfo { hasNextPage } } }`;
    const all = await t.gql(AUDIT, { m: model.id }, { as: Role.VIEWER });
    expect(all.data!.auditLog).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(all.data!.auditLog.edges).toHaveLength(1);
    const created = await t.gql(AUDIT, { m: model.id, a: 'version.created' }, { as: Role.VIEWER });
    expect(created.data!.auditLog.totalCount).toBe(2);

    const outsider = await issueToken(t.config.auth, 'outsider', [], 3600, new Map([['elsewhere', [Role.VIEWER]]]));
    const hidden = await t.gql(AUDIT, { m: model.id }, { token: outsider });
    expect(hidden.data!.auditLog).toMatchObject({ totalCount: 0, edges: [] });
  });
});
