import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { registerModel } from '../support/catalog-fixtures';
import { draftVersion, modelFiles, uploadAndSubmit } from '../support/files-fixtures';
import { hfPython } from '../support/hf-python';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Who learns what from /hf and /files. No or a bad token: 401 for every repository, decided before anything is looked
 * up. A token of another project: 404 RepoNotFound exactly as for a repository that does not exist, whatever revision
 * is asked (a stranger cannot tell a repo or its revisions exist). Another project's version over /files: the 404 of
 * an id that does not exist. The hub's own Python client reads these answers as the hub's.
 */
let t: TestApp;
let repo: { project: string; name: string; modelId: string; versionId: string; draftId: string };
let insider: string;
let outsider: string;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  const project = uniqueName('hub');
  const model = await registerModel(t, { name: uniqueName('hubrepo'), sourceType: 'CUSTOM', project });
  const version = await draftVersion(t, '1.0.0', model.id);
  expect(await uploadAndSubmit(t, version.versionId, modelFiles())).toMatchObject({ status: 'SUCCEEDED' });
  const draft = await draftVersion(t, '2.0.0', model.id);
  repo = { project: String(model.project ?? project), name: model.name, modelId: model.id, versionId: version.versionId, draftId: draft.versionId };
  insider = `hf_${await issueToken(t.config.auth, 'insider', [], 600, new Map([[repo.project, [Role.VIEWER]]]))}`;
  outsider = `hf_${await issueToken(t.config.auth, 'outsider', [], 600, new Map([[`${repo.project}-other`, [Role.EDITOR]]]))}`;
}, 180_000);
afterAll(async () => {
  await t?.stop();
});

const base = () => `http://127.0.0.1:${t.app.port}`;

interface Answer {
  status: number;
  code: string | null;
  message: string | null;
  body: string;
}

async function ask(path: string, token: string | null, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base()}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
  return { status: res.status, code: res.headers.get('x-error-code'), message: res.headers.get('x-error-message'), body: await res.text() };
}

/** The same request for the real repository and for one that does not exist, names swapped for a placeholder. */
async function both(route: (repoId: string) => string, token: string | null, init: RequestInit = {}): Promise<[Answer, Answer]> {
  const real = `${repo.project}/${repo.name}`;
  const missing = `${repo.project}/${repo.name}-missing`;
  const hide = (a: Answer, id: string): Answer => ({ ...a, body: a.body.split(id).join('<repo>'), message: a.message?.split(id).join('<repo>') ?? null });
  return [hide(await ask(route(real), token, init), real), hide(await ask(route(missing), token, init), missing)];
}

async function commitOf(token: string): Promise<string> {
  const info = await ask(`/hf/api/models/${repo.project}/${repo.name}/revision/1.0.0`, token);
  expect(info.status).toBe(200);
  return (JSON.parse(info.body) as { sha: string }).sha;
}

function routes(commit: string): ((id: string) => string)[] {
  return [
    (id) => `/hf/api/models/${id}`,
    (id) => `/hf/api/models/${id}/revision/main`,
    (id) => `/hf/api/models/${id}/revision/1.0.0`,
    (id) => `/hf/api/models/${id}/revision/9.9.9`,
    (id) => `/hf/api/models/${id}/revision/no-such-alias`,
    (id) => `/hf/api/models/${id}/revision/${commit}`,
    (id) => `/hf/api/models/${id}/tree/1.0.0`,
    (id) => `/hf/${id}/resolve/1.0.0/config.json`,
    (id) => `/hf/${id}/resolve/${commit}/config.json`,
    (id) => `/hf/${id}/resolve/no-such-alias/config.json`,
  ];
}

test('no token, or a bad one: 401 for an existing repository and a missing one alike', async () => {
  for (const route of routes(await commitOf(insider))) {
    const [real, missing] = await both(route, null);
    expect([route('<repo>'), real]).toEqual([route('<repo>'), missing]);
    expect([route('<repo>'), real.status, real.code]).toEqual([route('<repo>'), 401, 'RepoNotFound']);
    const [forgedReal, forgedMissing] = await both(route, 'hf_forged.token.value');
    expect(forgedReal).toEqual(forgedMissing);
    expect([forgedReal.status, forgedReal.message]).toEqual([401, 'Invalid credentials in Authorization header']);
  }
});

test("another project's token: 404 RepoNotFound with the body of a missing repository, for every revision", async () => {
  const commit = await commitOf(insider);
  for (const route of routes(commit)) {
    const [real, missing] = await both(route, outsider);
    expect([route('<repo>'), real]).toEqual([route('<repo>'), missing]);
    expect([route('<repo>'), real.status, real.code]).toEqual([route('<repo>'), 404, 'RepoNotFound']);
  }
  const [paths, pathsMissing] = await both((id) => `/hf/api/models/${id}/paths-info/1.0.0`, outsider, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paths: ['config.json'] }),
  });
  expect(paths).toEqual(pathsMissing);
  expect([paths.status, paths.code]).toEqual([404, 'RepoNotFound']);
  // The project's own viewer reads it; a draft is never served through the hub, not even to its editors.
  expect((await ask(`/hf/${repo.project}/${repo.name}/resolve/1.0.0/config.json`, insider)).status).toBe(200);
  const draft = await ask(`/hf/api/models/${repo.project}/${repo.name}/revision/2.0.0`, `hf_${await t.token(Role.EDITOR)}`);
  expect([draft.status, draft.code]).toEqual([404, 'RevisionNotFound']);
});

test("huggingface_hub reads the answers as the hub's: RepositoryNotFoundError without access, a 401 error for a bad token", async () => {
  const script = `
import json, os
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
api = HfApi(endpoint=os.environ["HF_ENDPOINT"])
out = {}
for label, token in [("none", False), ("outsider", os.environ["OUTSIDER"]), ("forged", "hf_forged.token.value")]:
    for repo in [os.environ["REPO"], os.environ["REPO"] + "-missing"]:
        try:
            api.model_info(repo, revision="1.0.0", token=token)
            out[label + ":" + repo] = "ok"
        except RepositoryNotFoundError as e:
            out[label + ":" + repo] = "RepositoryNotFoundError %d" % e.response.status_code
        except HfHubHTTPError as e:
            out[label + ":" + repo] = "HfHubHTTPError %d" % e.response.status_code
print(json.dumps(out))
`;
  const id = `${repo.project}/${repo.name}`;
  const out = JSON.parse(await hfPython(script, { HF_ENDPOINT: `${base()}/hf`, REPO: id, OUTSIDER: outsider })) as Record<string, string>;
  expect(out).toEqual({
    [`none:${id}`]: 'RepositoryNotFoundError 401',
    [`none:${id}-missing`]: 'RepositoryNotFoundError 401',
    [`outsider:${id}`]: 'RepositoryNotFoundError 404',
    [`outsider:${id}-missing`]: 'RepositoryNotFoundError 404',
    [`forged:${id}`]: 'HfHubHTTPError 401',
    [`forged:${id}-missing`]: 'HfHubHTTPError 401',
  });
}, 60_000);

test("/files: another project's version is the 404 of an id that does not exist, for reads and writes", async () => {
  const token = outsider.slice(3);
  const tus = { 'tus-resumable': '1.0.0', 'upload-length': '1' };
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const requests: [string, (id: string) => [string, RequestInit]][] = [
    ['download', (id) => [`/files/versions/${id}/download/config.json`, {}]],
    ['tar', (id) => [`/files/versions/${id}/tar`, {}]],
    ['put', (id) => [`/files/versions/${id}/upload/x.bin`, { method: 'PUT', body: 'x' }]],
    ['submit', (id) => [`/files/versions/${id}/submit`, { method: 'POST' }]],
    ['tus', (id) => ['/files/uploads', { method: 'POST', headers: { ...tus, 'upload-metadata': `versionId ${b64(id)},path ${b64('x.bin')}` } }]],
  ];
  for (const [label, request] of requests) {
    for (const id of [repo.versionId, repo.draftId]) {
      const [path, init] = request(id);
      const real = await ask(path, token, init);
      const [unknownPath, unknownInit] = request(UNKNOWN_ID);
      const unknown = await ask(unknownPath, token, unknownInit);
      expect([label, real.status, real.code, real.body.split(id).join('<id>')]).toEqual([label, 404, unknown.code, unknown.body.split(UNKNOWN_ID).join('<id>')]);
    }
  }
  expect(await t.dataSource.query(`SELECT path FROM version_files WHERE version_id = $1`, [repo.draftId])).toEqual([]);
  expect(await t.dataSource.query(`SELECT id FROM upload_sessions WHERE version_id = $1`, [repo.draftId])).toEqual([]);
  const command = await t.gql(`mutation($v: ID!) { uploadCommand(versionId: $v, mode: FILE) { token } }`, { v: repo.draftId }, { token });
  const unknownCommand = await t.gql(`mutation($v: ID!) { uploadCommand(versionId: $v, mode: FILE) { token } }`, { v: UNKNOWN_ID }, { token });
  expect(JSON.stringify(command).split(repo.draftId).join('<id>')).toBe(JSON.stringify(unknownCommand).split(UNKNOWN_ID).join('<id>'));
  expect(command.errors![0].extensions!.code).toBe('NOT_FOUND');
});
