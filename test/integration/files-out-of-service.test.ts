import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { registerModel } from '../support/catalog-fixtures';
import { draftVersion, modelFiles, uploadAndSubmit } from '../support/files-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Nothing unusable is served: a version whose latest rescan FAILED (moved to NEEDS_ATTENTION) is refused by every
 * download path the same way, 451 with the scan's id in X-Scan-Id and in the body, whoever asks and however it is
 * named (its id, its version, an alias, the hub's `main` or the commit a client cached). Isolation still comes first.
 *
 * The quarantine is set up directly in the database, as the rescan flow leaves it (src/services/scan-quarantine.service.ts
 * `takeOutOfService`): a FAILED scan row newer than the import's, the version in NEEDS_ATTENTION with the reason, and
 * the open version_quarantines row. Running a real rescan that fails is the operations work's own test.
 */
let t: TestApp;
let fx: { project: string; name: string; modelId: string; quarantined: string; sibling: string; scanId: string; commit: string };

async function setAlias(modelId: string, name: string, versionId: string): Promise<void> {
  const res = await t.gql(`mutation($m: ID!, $n: String!, $v: ID!) { setAlias(modelId: $m, name: $n, versionId: $v, reason: "test") { name } }`, { m: modelId, n: name, v: versionId }, { as: Role.APPROVER });
  expect(res.errors).toBeUndefined();
}

async function quarantine(modelId: string, versionId: string): Promise<string> {
  const reason = 'security rescan FAILED (1 critical): clamav Eicar-Signature in config.json';
  const [scan] = (await t.dataSource.query(
    `INSERT INTO scan_results (model_id, version_id, scanner, status, findings, critical_count, files_scanned, bytes_scanned, started_at, completed_at)
     VALUES ($1, $2, 'modelhub', 'FAILED', '[]', 1, 4, 1024, now(), now()) RETURNING id`,
    [modelId, versionId],
  )) as { id: string }[];
  const [{ status }] = (await t.dataSource.query(`SELECT status FROM model_versions WHERE id = $1`, [versionId])) as { status: string }[];
  await t.dataSource.query(`UPDATE model_versions SET status = 'NEEDS_ATTENTION', status_reason = $2 WHERE id = $1`, [versionId, reason]);
  await t.dataSource.query(`INSERT INTO version_quarantines (model_id, version_id, scan_result_id, from_status, reason, rescan_by) VALUES ($1, $2, $3, $4, $5, 'rescanner')`, [
    modelId,
    versionId,
    scan.id,
    status,
    reason,
  ]);
  return scan.id;
}

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  const project = uniqueName('oos');
  const model = await registerModel(t, { name: uniqueName('oosrepo'), sourceType: 'CUSTOM', project });
  const first = await draftVersion(t, '1.0.0', model.id);
  expect(await uploadAndSubmit(t, first.versionId, modelFiles())).toMatchObject({ status: 'SUCCEEDED' });
  const second = await draftVersion(t, '1.1.0', model.id);
  expect(await uploadAndSubmit(t, second.versionId, modelFiles())).toMatchObject({ status: 'SUCCEEDED' });
  await setAlias(model.id, 'production', first.versionId);
  await setAlias(model.id, 'default', first.versionId);
  const viewer = await t.token(Role.VIEWER);
  const info = await fetch(`http://127.0.0.1:${t.app.port}/hf/api/models/${String(model.project ?? project)}/${model.name}/revision/1.0.0`, { headers: { authorization: `Bearer ${viewer}` } });
  const { sha } = (await info.json()) as { sha: string };
  fx = { project: String(model.project ?? project), name: model.name, modelId: model.id, quarantined: first.versionId, sibling: second.versionId, scanId: '', commit: sha };
  fx.scanId = await quarantine(model.id, first.versionId);
}, 180_000);
afterAll(async () => {
  await t?.stop();
});

const base = () => `http://127.0.0.1:${t.app.port}`;

async function get(path: string, token: string, method = 'GET') {
  const res = await fetch(`${base()}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, scanId: res.headers.get('x-scan-id'), body: method === 'HEAD' ? '' : await res.text() };
}

test('/files and tar answer 451 with the scan for viewers and editors alike', async () => {
  for (const role of [Role.VIEWER, Role.EDITOR, Role.ADMIN]) {
    const token = await t.token(role);
    for (const path of [`/files/versions/${fx.quarantined}/download/config.json`, `/files/versions/${fx.quarantined}/tar`, `/files/versions/${fx.quarantined}/tar?path=tokenizer`]) {
      const answer = await get(path, token);
      expect([role, path, answer.status, answer.scanId]).toEqual([role, path, 451, fx.scanId]);
      const error = (JSON.parse(answer.body) as { errors: { message: string; extensions: Record<string, unknown> }[] }).errors[0];
      expect(error.extensions).toMatchObject({ code: 'POLICY_VIOLATION', scanId: fx.scanId });
      expect(error.message).toContain(fx.scanId);
    }
    const head = await get(`/files/versions/${fx.quarantined}/download/config.json`, token, 'HEAD');
    expect([head.status, head.scanId]).toEqual([451, fx.scanId]);
  }
  // Only that version is out of service: its sibling still downloads.
  expect((await get(`/files/versions/${fx.sibling}/download/config.json`, await t.token(Role.VIEWER))).status).toBe(200);
});

test('/hf answers 451 under every revision that names it: version, alias, main, commit', async () => {
  const token = `hf_${await t.token(Role.VIEWER)}`;
  const repo = `${fx.project}/${fx.name}`;
  for (const rev of ['1.0.0', 'production', 'main', fx.commit]) {
    for (const path of [`/hf/api/models/${repo}/revision/${rev}`, `/hf/api/models/${repo}/tree/${rev}`, `/hf/${repo}/resolve/${rev}/config.json`]) {
      const answer = await get(path, token);
      expect([path, answer.status, answer.scanId]).toEqual([path, 451, fx.scanId]);
      expect(JSON.parse(answer.body)).toMatchObject({ scanId: fx.scanId, error: expect.stringContaining(fx.scanId) });
    }
    const head = await get(`/hf/${repo}/resolve/${rev}/config.json`, token, 'HEAD');
    expect([rev, head.status, head.scanId]).toEqual([rev, 451, fx.scanId]);
  }
  expect((await get(`/hf/api/models/${repo}`, token)).status).toBe(451); // `main` by default
  expect((await get(`/hf/${repo}/resolve/1.1.0/config.json`, token)).status).toBe(200);
});

test('isolation comes first: another project sees a 404, not that the version was quarantined', async () => {
  const outsider = await issueToken(t.config.auth, 'outsider', [], 600, new Map([[`${fx.project}-other`, [Role.EDITOR]]]));
  const files = await get(`/files/versions/${fx.quarantined}/download/config.json`, outsider);
  expect([files.status, files.scanId, files.body.includes(fx.scanId)]).toEqual([404, null, false]);
  const hub = await fetch(`${base()}/hf/${fx.project}/${fx.name}/resolve/production/config.json`, { headers: { authorization: `Bearer hf_${outsider}` } });
  expect([hub.status, hub.headers.get('x-error-code'), hub.headers.get('x-scan-id')]).toEqual([404, 'RepoNotFound', null]);
});
