import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { eicar } from '../fixtures/scan-files';
import { errorCode, verifiedByRows } from '../support/catalog-fixtures';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Deployments on record, through the GraphQL endpoint: a `deployer` token (minted like every token, scoped to a
 * project) records and ends them but promotes nothing; a deployed version is not archived by hand unless forced
 * with a reason (audited); a failed rescan takes it out of service regardless. `bare` imports without ClamAV (the
 * scan SKIPPED, the version VERIFIED); `t` rescans with the run's clamd, which knows EICAR.
 */
let bare: TestApp;
let t: TestApp;
jest.setTimeout(240_000);

beforeAll(async () => {
  bare = await startTestApp({ worker: true, env: { CLAMD_HOST: '', CLAMD_PORT: '' } });
  t = await startTestApp({ worker: true, env: { ARTIFACT_DIR: bare.config.artifacts.dir } });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await bare?.stop();
});

const DEPLOYMENT = 'id environment endpoint description deployedBy deployedAt endedBy endedAt endReason version { id version }';

const deployerFor = (project: string, subject = `ci-${project}`) => issueToken(t.config.auth, subject, [], 3600, new Map([[project, [Role.DEPLOYER]]]));

function record(versionId: string, token: string, environment = 'prod', endpoint = 'https://llm.internal/v1') {
  return t.gql(`mutation($i: RecordDeploymentInput!) { recordDeployment(input: $i) { ${DEPLOYMENT} } }`, { i: { versionId, environment, endpoint, description: 'release 42' } }, { token });
}

async function events(modelId: string, type: string): Promise<{ project: string; data: Record<string, unknown> }[]> {
  return t.dataSource.query(`SELECT project, data FROM event_outbox WHERE type = $1 AND data->>'modelId' = $2 ORDER BY seq`, [type, modelId]);
}

async function audit(modelId: string, action: string) {
  const res = await t.gql(`query($m: ID!, $a: String!) { auditLog(modelId: $m, action: $a) { edges { node { actor versionId subjectId reason details } } } }`, { m: modelId, a: action }, { as: Role.ADMIN });
  expect(res.errors).toBeUndefined();
  return res.data!.auditLog.edges.map((e: { node: unknown }) => e.node) as { actor: string; versionId: string; subjectId: string; reason: string | null; details: Record<string, unknown> }[];
}

test('a deployer token records a deployment (audited under its subject), the version and model show it, and the same record again is the same deployment', async () => {
  const project = uniqueName('dep');
  const v = await verifiedByRows(t, project, 'dep');
  const ci = await deployerFor(project);
  const first = await record(v.versionId, ci);
  expect(first.errors).toBeUndefined();
  const deployment = first.data!.recordDeployment;
  expect(deployment).toMatchObject({ environment: 'prod', endpoint: 'https://llm.internal/v1', description: 'release 42', deployedBy: `ci-${project}`, endedAt: null, version: { id: v.versionId } });
  const again = await record(v.versionId, ci);
  expect(again.data!.recordDeployment.id).toBe(deployment.id);

  const shown = await t.gql(
    `query($v: ID!, $m: ID!) { version(id: $v) { deployments { id environment endpoint deployedAt } } model(id: $m) { deployments { id version { id } } } }`,
    { v: v.versionId, m: v.modelId },
    { token: ci },
  );
  expect(shown.errors).toBeUndefined();
  expect(shown.data!.version.deployments).toEqual([{ id: deployment.id, environment: 'prod', endpoint: 'https://llm.internal/v1', deployedAt: deployment.deployedAt }]);
  expect(shown.data!.model.deployments).toEqual([{ id: deployment.id, version: { id: v.versionId } }]);

  const rows = await audit(v.modelId, 'deployment.recorded');
  expect(rows).toEqual([expect.objectContaining({ actor: `ci-${project}`, versionId: v.versionId, subjectId: deployment.id, reason: 'release 42', details: { environment: 'prod', endpoint: 'https://llm.internal/v1', as: 'deployer' } })]);
  // Sent once (recording it again told nothing new), in the same transaction as the record.
  expect(await events(v.modelId, 'deployment.recorded')).toEqual([
    {
      project,
      data: expect.objectContaining({ project, deploymentId: deployment.id, modelId: v.modelId, versionId: v.versionId, version: '1.0.0', environment: 'prod', endpoint: 'https://llm.internal/v1', actor: `ci-${project}` }),
    },
  ]);

  // An editor of the project may record one too; a viewer may not.
  const editor = await t.gql(`mutation($i: RecordDeploymentInput!) { recordDeployment(input: $i) { deployedBy } }`, { i: { versionId: v.versionId, environment: 'staging', endpoint: 'svc/llm' } }, { as: Role.EDITOR });
  expect(editor.data!.recordDeployment.deployedBy).toBe('editor-user');
  expect(errorCode(await record(v.versionId, await t.token(Role.VIEWER), 'dev'))).toBe('FORBIDDEN');
});

test('a deployer token can record but not promote, archive or edit; another project answers NOT_FOUND', async () => {
  const project = uniqueName('dep');
  const other = uniqueName('dep-other');
  const v = await verifiedByRows(t, project, 'dep');
  const ci = await deployerFor(project);

  const promote = await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "ship") { id } }`, { v: v.versionId }, { token: ci });
  expect(errorCode(promote)).toBe('FORBIDDEN');
  const archive = await t.gql(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: "old") { id } }`, { v: v.versionId }, { token: ci });
  expect(errorCode(archive)).toBe('FORBIDDEN');
  const edit = await t.gql(`mutation($m: ID!) { updateModel(id: $m, input: { description: "mine" }) { id } }`, { m: v.modelId }, { token: ci });
  expect(errorCode(edit)).toBe('FORBIDDEN');

  // A deployer of another project: the version, its deployments and ending them are NOT_FOUND, like unknown ids.
  const stranger = await deployerFor(other);
  const foreign = await record(v.versionId, stranger);
  expect(errorCode(foreign)).toBe('NOT_FOUND');
  expect(foreign.errors![0].message).not.toContain(project);
  const mine = (await record(v.versionId, ci)).data!.recordDeployment;
  const end = await t.gql(`mutation($id: ID!) { endDeployment(id: $id) { id } }`, { id: mine.id }, { token: stranger });
  expect(errorCode(end)).toBe('NOT_FOUND');
  const read = await t.gql(`query($v: ID!) { version(id: $v) { deployments { id } } }`, { v: v.versionId }, { token: stranger });
  expect(errorCode(read)).toBe('NOT_FOUND');
  const [row] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM deployments WHERE version_id = $1`, [v.versionId])) as { n: number }[];
  expect(row.n).toBe(1);

  // Only versions in service are deployed; bad input names its field.
  const draft = await t.gql(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "2.0.0" }) { id } }`, { m: v.modelId });
  expect(errorCode(await record(draft.data!.createVersion.id, ci))).toBe('CONFLICT');
  const bad = await record(v.versionId, ci, 'prod env');
  expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  expect(bad.errors![0].extensions).toMatchObject({ field: 'environment' });
});

test('archiving a deployed version is refused naming its deployments; force needs a reason and is audited; ended deployments stand in no way', async () => {
  const project = uniqueName('dep');
  const v = await verifiedByRows(t, project, 'dep');
  const ci = await deployerFor(project);
  const prod = (await record(v.versionId, ci, 'prod', 'https://a.example/v1')).data!.recordDeployment;

  const refused = await t.gql(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: "superseded") { id status } }`, { v: v.versionId }, { as: Role.APPROVER });
  expect(errorCode(refused)).toBe('CONFLICT');
  expect(refused.errors![0].message).toContain(`prod at https://a.example/v1 since ${prod.deployedAt}`);
  expect(refused.errors![0].message).toMatch(/endDeployment.*force: true and a reason/);
  expect(refused.errors![0].extensions).toMatchObject({ rule: 'deployed', deployments: [prod.id] });
  const byTransition = await t.gql(`mutation($v: ID!) { transitionVersion(id: $v, to: ARCHIVED, reason: "x") { status } }`, { v: v.versionId }, { as: Role.APPROVER });
  expect(errorCode(byTransition)).toBe('CONFLICT');
  const noReason = await t.gql(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: " ", force: true) { status } }`, { v: v.versionId }, { as: Role.APPROVER });
  expect(errorCode(noReason)).toBe('BAD_USER_INPUT');
  expect(noReason.errors![0].extensions).toMatchObject({ field: 'reason' });
  const deleted = await t.gql(`mutation($m: ID!) { deleteModel(id: $m) }`, { m: v.modelId }, { as: Role.ADMIN });
  expect(errorCode(deleted)).toBe('CONFLICT');
  const [still] = (await t.dataSource.query(`SELECT status FROM model_versions WHERE id = $1`, [v.versionId])) as { status: string }[];
  expect(still.status).toBe('VERIFIED');

  const forced = await t.gql(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: "CVE in the tokenizer, replaced in prod tonight", force: true) { status deployments { id } } }`, { v: v.versionId }, { as: Role.APPROVER });
  expect(forced.errors).toBeUndefined();
  expect(forced.data!.archiveVersion).toEqual({ status: 'ARCHIVED', deployments: [{ id: prod.id }] });
  const [row] = await audit(v.modelId, 'version.archived');
  expect(row).toMatchObject({ actor: 'approver-user', reason: 'CVE in the tokenizer, replaced in prod tonight', details: { from: 'VERIFIED', forced: true, deployments: [{ id: prod.id, environment: 'prod', endpoint: 'https://a.example/v1' }] } });

  // The deployer ends it; ending twice is a CONFLICT; an ended deployment no longer holds a version back.
  const ended = await t.gql(`mutation($id: ID!) { endDeployment(id: $id, reason: "rolled back") { ${DEPLOYMENT} } }`, { id: prod.id }, { token: ci });
  expect(ended.errors).toBeUndefined();
  expect(ended.data!.endDeployment).toMatchObject({ endedBy: `ci-${project}`, endReason: 'rolled back', endedAt: expect.any(String) });
  expect(errorCode(await t.gql(`mutation($id: ID!) { endDeployment(id: $id) { id } }`, { id: prod.id }, { token: ci }))).toBe('CONFLICT');
  expect((await audit(v.modelId, 'deployment.ended'))[0]).toMatchObject({ actor: `ci-${project}`, subjectId: prod.id, reason: 'rolled back' });
  expect(await events(v.modelId, 'deployment.ended')).toEqual([{ project, data: expect.objectContaining({ deploymentId: prod.id, environment: 'prod', endReason: 'rolled back', actor: `ci-${project}` }) }]);

  const w = await verifiedByRows(t, project, 'dep');
  const brief = (await record(w.versionId, ci, 'canary', 'svc/canary')).data!.recordDeployment;
  await t.gql(`mutation($id: ID!) { endDeployment(id: $id) { id } }`, { id: brief.id }, { token: ci });
  const plain = await t.gql(`mutation($v: ID!) { archiveVersion(versionId: $v, reason: "done") { status deployments { id } } }`, { v: w.versionId }, { as: Role.APPROVER });
  expect(plain.data!.archiveVersion).toEqual({ status: 'ARCHIVED', deployments: [] });
});

test('a failed rescan takes a deployed version out of service all the same, and the deployment stays on record', async () => {
  const project = uniqueName('dep');
  const dir = await writeModelDir(bare);
  await writeFile(path.join(dir, 'notes.txt'), eicar());
  const res = await importModel(bare, { name: uniqueName('dep-eicar'), project, source: { sourceType: 'DISK', path: dir } });
  expect(res.errors).toBeUndefined();
  expect(await waitForOperation(bare, res.data!.importModel.id, 120_000)).toMatchObject({ status: 'SUCCEEDED' });
  const versionId = res.data!.importModel.version.id as string;
  const ci = await deployerFor(project);
  const deployment = (await record(versionId, ci)).data!.recordDeployment;

  const scan = await t.gql(`mutation($v: ID!) { scanVersion(versionId: $v) { id } }`, { v: versionId });
  expect(scan.errors).toBeUndefined();
  expect(await waitForOperation(t, scan.data!.scanVersion.id, 120_000)).toMatchObject({ status: 'SUCCEEDED', message: expect.stringMatching(/taken out of service/) });
  const after = await t.gql(`query($v: ID!) { version(id: $v) { status deployments { id } } }`, { v: versionId }, { token: ci });
  expect(after.data!.version).toEqual({ status: 'NEEDS_ATTENTION', deployments: [{ id: deployment.id }] });
  // The out-of-service event names the deployments still serving it, for their owners' webhooks.
  const sent = await events(res.data!.importModel.model.id as string, 'version.out_of_service');
  expect(sent).toHaveLength(1); // one event per demotion, the one that names the deployments
  expect(sent[0]).toEqual({
    project,
    data: expect.objectContaining({
      versionId, status: 'NEEDS_ATTENTION', from: 'VERIFIED', deploymentIds: [deployment.id], deploymentCount: 1,
      deployments: [{ deploymentId: deployment.id, environment: 'prod', endpoint: 'https://llm.internal/v1', deployedAt: deployment.deployedAt }],
      reason: expect.stringContaining('FAILED'),
    }),
  });
});

test('deployments and the upstream watch of a page of models are read in batches: 6 models cost the round trips of 2', async () => {
  const project = uniqueName('dep-fanout');
  const ci = await deployerFor(project);
  for (let i = 0; i < 6; i++) {
    const v = await verifiedByRows(t, project, 'fanout');
    expect((await record(v.versionId, ci, 'prod', `svc/fanout-${i}`)).errors).toBeUndefined();
  }
  const query = `query($first: Int!, $p: String!) { models(first: $first, filter: { project: $p }) { edges { node { deployments { id version { version } } upstream { sha } versions { deployments { environment } } } } } }`;
  const roundTrips = async (first: number) => {
    t.queries.reset();
    const res = await t.gql(query, { first, p: project }, { token: ci });
    expect(res.errors).toBeUndefined();
    expect(res.data!.models.edges).toHaveLength(first);
    for (const edge of res.data!.models.edges) expect(edge.node.deployments).toHaveLength(1);
    // Only the new relations' statements: this app's worker may query meanwhile.
    return t.queries.statements.filter((sql) => /FROM (deployments|upstream_watches)\b/.test(sql)).length;
  };
  const two = await roundTrips(2);
  expect(await roundTrips(6)).toBe(two);
  expect(two).toBe(3); // Model.deployments, Version.deployments, Model.upstream: one batch each
});
