import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { errorCode } from '../support/catalog-fixtures';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * The catalog's reads and writes as callers with roles per project: alias lookups by name are scoped like
 * modelByName, a role held in one project counts for nothing in another (protected aliases, moves, deletes), and
 * a project typed with capitals is the same project on write and on check.
 */
let t: TestApp;
const tag = uniqueName('cc');
const projectA = `${tag}-a`;
const projectB = `${tag}-b`;
let b: { modelId: string; name: string; versionId: string };

type Grants = [string, Role[]][];
const tokens = new Map<string, string>();
async function tokenOf(subject: string, grants: Grants): Promise<string> {
  if (!tokens.has(subject)) tokens.set(subject, await issueToken(t.config.auth, `${subject}-${tag}`, [], 3600, new Map(grants)));
  return tokens.get(subject) as string;
}
async function as(subject: string, grants: Grants, query: string, variables: Record<string, unknown> = {}) {
  return t.gql(query, variables, { token: await tokenOf(subject, grants) });
}

/** A VERIFIED version in `project`, imported by a global editor (the model's first version: its default). */
async function verifiedIn(project: string, name = uniqueName('cc-model')) {
  const res = await importModel(t, { name, project, version: '1.0.0', license: 'apache-2.0', source: { sourceType: 'DISK', path: await writeModelDir(t) } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  const op = await waitForOperation(t, res.data!.importModel.id);
  if (op.status !== 'SUCCEEDED') throw new Error(`import failed: ${JSON.stringify(op)}`);
  return { modelId: res.data!.importModel.model.id as string, name, versionId: res.data!.importModel.version.id as string };
}

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  b = await verifiedIn(projectB);
}, 120_000);
afterAll(async () => {
  await t.stop();
});

const BY_ALIAS = `query($m: String!, $a: String!) { versionByAlias(model: $m, alias: $a) { id files { path } model { versions { status } } } }`;

test("versionByAlias of another project's model is NOT_FOUND, exactly like an unknown model", async () => {
  const viewerOfA: Grants = [[projectA, [Role.VIEWER]]];
  const foreign = await as('viewer-a', viewerOfA, BY_ALIAS, { m: b.name, a: 'default' });
  const unknown = await as('viewer-a', viewerOfA, BY_ALIAS, { m: `${tag}-nothing`, a: 'default' });
  expect(foreign.data).toBeNull();
  expect(errorCode(foreign)).toBe('NOT_FOUND');
  expect(foreign.errors![0].message.replace(b.name, '<name>')).toBe(unknown.errors![0].message.replace(`${tag}-nothing`, '<name>'));
  expect(JSON.stringify(foreign)).not.toContain(b.versionId);
  // Its own viewers read it, files and all.
  const own = await as('viewer-b', [[projectB, [Role.VIEWER]]], BY_ALIAS, { m: b.name, a: 'default' });
  expect(own.errors).toBeUndefined();
  expect(own.data!.versionByAlias.id).toBe(b.versionId);
  expect(own.data!.versionByAlias.files.length).toBeGreaterThan(0);
});

describe('a protected alias moves only with the approver role in the model’s project', () => {
  const SET = `mutation($m: ID!, $n: String!, $v: ID!) { setAlias(modelId: $m, name: $n, versionId: $v, reason: "ship") { name version { id } } }`;
  const REMOVE = `mutation($m: ID!, $n: String!) { removeAlias(modelId: $m, name: $n, reason: "unship") }`;
  const editorBApproverA: Grants = [[projectB, [Role.EDITOR]], [projectA, [Role.APPROVER]]];

  test('editor in B and approver in A: FORBIDDEN, and nothing moves', async () => {
    const refused = await as('eb-aa', editorBApproverA, SET, { m: b.modelId, n: 'production', v: b.versionId });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].extensions!.requiredRole).toBe(Role.APPROVER);
    const rows = await t.dataSource.query(`SELECT name FROM model_aliases WHERE model_id = $1 AND name = 'production'`, [b.modelId]);
    expect(rows).toEqual([]);
    // An unprotected alias is an editor's to move.
    const staging = await as('eb-aa', editorBApproverA, SET, { m: b.modelId, n: 'staging', v: b.versionId });
    expect(staging.data!.setAlias).toEqual({ name: 'staging', version: { id: b.versionId } });
  });

  test('an approver of B moves it; the editor in B who approves in A cannot remove it', async () => {
    const approverB: Grants = [[projectB, [Role.APPROVER]]];
    const moved = await as('ab', approverB, SET, { m: b.modelId, n: 'production', v: b.versionId });
    expect(moved.data!.setAlias).toEqual({ name: 'production', version: { id: b.versionId } });
    const removed = await as('eb-aa', editorBApproverA, REMOVE, { m: b.modelId, n: 'production' });
    expect(errorCode(removed)).toBe('FORBIDDEN');
    const rows = await t.dataSource.query(`SELECT version_id FROM model_aliases WHERE model_id = $1 AND name = 'production'`, [b.modelId]);
    expect(rows).toEqual([{ version_id: b.versionId }]);
    const audit = await t.dataSource.query(`SELECT actor, action FROM audit_log WHERE model_id = $1 AND subject_id = 'production' ORDER BY id`, [b.modelId]);
    expect(audit).toEqual([{ actor: `ab-${tag}`, action: 'alias.set' }]);
    expect((await as('ab', approverB, REMOVE, { m: b.modelId, n: 'production' })).data).toEqual({ removeAlias: true });
  });

  test('a caller who cannot read B gets NOT_FOUND, as for an unknown model', async () => {
    const approverA: Grants = [[projectA, [Role.APPROVER]]];
    const foreign = await as('aa', approverA, SET, { m: b.modelId, n: 'production', v: b.versionId });
    const unknown = await as('aa', approverA, SET, { m: '00000000-0000-4000-8000-00000000000b', n: 'production', v: b.versionId });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(foreign.errors![0].message.replace(b.modelId, '<id>')).toBe(unknown.errors![0].message.replace('00000000-0000-4000-8000-00000000000b', '<id>'));
  });
});

describe('a project typed with capitals is the project its editors hold', () => {
  const mixed = `${tag}-Beta`;
  const lower = mixed.toLowerCase();
  const editorOfBeta: Grants = [[lower, [Role.EDITOR]]];

  test('registerModel(project: "…-Beta") by an editor of "…-beta" is stored as "…-beta", readable and writable by them', async () => {
    const name = uniqueName('beta-model');
    const res = await as('eb', editorOfBeta, `mutation($n: String!, $p: String) { registerModel(input: { name: $n, sourceType: CUSTOM, project: $p }) { id project } }`, { n: name, p: ` ${mixed} ` });
    expect(res.errors).toBeUndefined();
    expect(res.data!.registerModel.project).toBe(lower);
    const [row] = await t.dataSource.query('SELECT project FROM models WHERE name = $1', [name]);
    expect(row.project).toBe(lower);
    expect((await as('eb', editorOfBeta, `query($n: String!) { modelByName(name: $n) { name } }`, { n: name })).data!.modelByName.name).toBe(name);
    const listed = await as('eb', editorOfBeta, `query($p: String!) { models(filter: { project: $p }) { totalCount } }`, { p: mixed });
    expect(listed.data!.models.totalCount).toBe(1);
    const updated = await as('eb', editorOfBeta, `mutation($id: ID!) { updateModel(id: $id, input: { description: "ours" }) { description } }`, { id: res.data!.registerModel.id });
    expect(updated.data!.updateModel.description).toBe('ours');
  });

  test("its project's policy applies to its versions", async () => {
    const configured = await t.gql(
      `mutation($p: String!) { configureProject(input: { id: $p, targets: [{ target: EVALUATED, gates: [APPROVALS], requiredApprovals: 2 }] }) { id } }`,
      { p: mixed },
      { as: Role.ADMIN },
    );
    expect(configured.errors).toBeUndefined();
    const { versionId } = await verifiedIn(mixed);
    const asked = await as('eb', editorOfBeta, `mutation($v: ID!) { requestPromotion(versionId: $v, target: EVALUATED, justification: "policy") { project state requiredApprovals } }`, { v: versionId });
    expect(asked.errors).toBeUndefined();
    expect(asked.data!.requestPromotion).toEqual({ project: lower, state: 'OPEN', requiredApprovals: 2 });
  });
});

describe('moving a model needs the editor role in both projects', () => {
  const UPDATE = `mutation($id: ID!, $p: String) { updateModel(id: $id, input: { project: $p }) { project } }`;
  const REGISTER = `mutation($n: String!, $p: String) { registerModel(input: { name: $n, sourceType: CUSTOM, project: $p }) { id } }`;
  const target = `${tag}-c`;

  test('viewer in the new project: FORBIDDEN; no role there: NOT_FOUND; editor in both: moved, normalised', async () => {
    const viewerThere: Grants = [[projectA, [Role.EDITOR]], [target, [Role.VIEWER]]];
    const model = await as('ea-vc', viewerThere, REGISTER, { n: uniqueName('mover'), p: projectA });
    const id = model.data!.registerModel.id as string;
    expect(errorCode(await as('ea-vc', viewerThere, UPDATE, { id, p: target }))).toBe('FORBIDDEN');
    expect(errorCode(await as('ea-vc', viewerThere, UPDATE, { id, p: `${tag}-nowhere` }))).toBe('NOT_FOUND');
    const [before] = await t.dataSource.query('SELECT project FROM models WHERE id = $1', [id]);
    expect(before.project).toBe(projectA);
    const both: Grants = [[projectA, [Role.EDITOR]], [target, [Role.EDITOR]]];
    expect((await as('ea-ec', both, UPDATE, { id, p: target.toUpperCase() })).data!.updateModel.project).toBe(target);
    // The editor of A alone no longer sees it.
    const gone = await as('ea', [[projectA, [Role.EDITOR]]], `query($id: ID!) { model(id: $id) { id } }`, { id });
    expect(errorCode(gone)).toBe('NOT_FOUND');
    const audit = await t.dataSource.query(`SELECT actor, project, details FROM audit_log WHERE model_id = $1 AND action = 'model.updated'`, [id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: `ea-ec-${tag}`, project: target });
    expect(audit[0].details.changes).toContainEqual({ field: 'project', before: projectA, after: target });
  });

  test('deleting needs the admin role in the model’s project: admin elsewhere is FORBIDDEN', async () => {
    const grants: Grants = [[projectA, [Role.EDITOR]], [`${tag}-other`, [Role.ADMIN]]];
    const model = await as('ea-ao', grants, REGISTER, { n: uniqueName('doomed'), p: projectA });
    const id = model.data!.registerModel.id as string;
    expect(errorCode(await as('ea-ao', grants, `mutation($id: ID!) { deleteModel(id: $id) }`, { id }))).toBe('FORBIDDEN');
    expect(await t.dataSource.query('SELECT id FROM models WHERE id = $1', [id])).toHaveLength(1);
    const admin: Grants = [[projectA, [Role.ADMIN]]];
    expect((await as('aa-admin', admin, `mutation($id: ID!) { deleteModel(id: $id) }`, { id })).data).toEqual({ deleteModel: id });
  });
});
