import { Role } from '../../src/domain/auth/roles';
import { errorCode, recordEvidence } from '../support/catalog-fixtures';
import { importModel, importVerified, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

const VERSION = `id status statusReason declaredMetadata verifiedMetadata { parameterCount license } metadataMismatches { field declared verified } model { id license { id } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateVersionInput!) { updateVersion(id: $id, input: $i) { id status declaredMetadata } }`;

async function version(id: string) {
  const res = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION} } }`, { id });
  expect(res.errors).toBeUndefined();
  return res.data!.version;
}

async function auditOf(modelId: string, action: string): Promise<{ actor: string; version_id: string | null; reason: string | null; details: Record<string, unknown> }[]> {
  return t.dataSource.query(`SELECT actor, version_id, reason, details FROM audit_log WHERE model_id = $1 AND action = $2 ORDER BY occurred_at`, [modelId, action]);
}

/** An import whose declared parameter count the files contradict: FAILED, the version NEEDS_ATTENTION. */
async function wrongCount(extra: Record<string, unknown> = {}) {
  const dir = await writeModelDir(t);
  const res = await importModel(t, { name: uniqueName('decl'), parameterCount: 5000, source: { sourceType: 'DISK', path: dir }, ...extra });
  expect(res.errors).toBeUndefined();
  const op = await waitForOperation(t, res.data!.importModel.id);
  expect(op.status).toBe('FAILED');
  return { operationId: op.id as string, versionId: res.data!.importModel.version.id as string, modelId: res.data!.importModel.model.id as string };
}

describe('updateVersion', () => {
  test('a wrong declared parameter count is corrected on the version, and the retry checks the new value: VERIFIED', async () => {
    const ids = await wrongCount();
    const before = await version(ids.versionId);
    const actual = before.verifiedMetadata.parameterCount as number;
    expect(before).toMatchObject({ status: 'NEEDS_ATTENTION', declaredMetadata: { parameterCount: '5000' } });
    expect(before.statusReason).toContain(`parameterCount: declared 5000, files say ${actual}`);

    // Fixing the model alone does not help: the version's declarations were frozen when it was registered.
    expect((await t.gql(UPDATE, { id: ids.versionId, i: { parameterCount: 1 } }, { as: Role.VIEWER })).errors![0].extensions!.code).toBe('FORBIDDEN');
    const updated = await t.gql(UPDATE, { id: ids.versionId, i: { parameterCount: String(actual) } });
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateVersion).toMatchObject({ status: 'NEEDS_ATTENTION', declaredMetadata: { parameterCount: String(actual), architecture: null } });
    expect(await auditOf(ids.modelId, 'version.updated')).toEqual([
      expect.objectContaining({ version_id: ids.versionId, details: { changes: [{ field: 'parameterCount', before: '5000', after: String(actual) }] } }),
    ]);

    const retried = await t.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: ids.operationId });
    expect(retried.errors).toBeUndefined();
    expect((await waitForOperation(t, retried.data!.retryOperation.id)).status).toBe('SUCCEEDED');
    const after = await version(ids.versionId);
    expect(after).toMatchObject({ status: 'VERIFIED', statusReason: null, metadataMismatches: [] });
  });

  test("a VERIFIED version's declarations are immutable: CONFLICT naming why, nothing changed", async () => {
    const ids = await importVerified(t);
    const before = await version(ids.versionId);
    const res = await t.gql(UPDATE, { id: ids.versionId, i: { parameterCount: 42, architecture: 'Other' } });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toMatch(/can no longer change: it was VERIFIED against them/);
    expect(await version(ids.versionId)).toEqual(before);
    expect(await auditOf(ids.modelId, 'version.updated')).toEqual([]);
  });

  test('an unknown license is refused; an unknown id is NOT_FOUND', async () => {
    const ids = await wrongCount();
    expect(errorCode(await t.gql(UPDATE, { id: ids.versionId, i: { license: 'no-such-licence' } }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(UPDATE, { id: '00000000-0000-4000-8000-000000000000', i: { parameterCount: 1 } }))).toBe('NOT_FOUND');
  });
});

describe('the licence in the model card', () => {
  test('becomes the licence of a model that has none, audited as the system', async () => {
    const ids = await importVerified(t);
    const v = await version(ids.versionId);
    expect(v.verifiedMetadata.license).toBe('Apache-2.0');
    expect(v.model.license).toEqual({ id: 'Apache-2.0' });
    const [row] = await auditOf(ids.modelId, 'model.updated');
    expect(row).toMatchObject({ actor: 'system:licence from the model card', version_id: ids.versionId });
    expect(row.details).toMatchObject({ source: 'model card', changes: expect.arrayContaining([{ field: 'licenseId', before: null, after: 'Apache-2.0' }]) });
  });

  test('a different declared licence is kept and the version shows the mismatch', async () => {
    const ids = await wrongCount({ parameterCount: null, license: 'MIT' });
    const v = await version(ids.versionId);
    expect(v).toMatchObject({ status: 'NEEDS_ATTENTION', model: { license: { id: 'MIT' } } });
    expect(v.metadataMismatches).toEqual([{ field: 'license', declared: 'MIT', verified: 'Apache-2.0' }]);
    expect(v.statusReason).toContain('license: declared MIT, files say Apache-2.0');
    // The declaration is the user's to correct; after it, the retry agrees with the card.
    expect((await t.gql(UPDATE, { id: ids.versionId, i: { license: 'apache-2.0' } })).data!.updateVersion.declaredMetadata.license).toBe('Apache-2.0');
    expect(await auditOf(ids.modelId, 'model.updated')).toEqual([]);
  });
});

describe('gate refusals name what would satisfy them', () => {
  const REQUEST = `mutation($v: ID!, $to: LifecycleStage!) { requestPromotion(versionId: $v, target: $to, justification: "ready") { id state } }`;

  async function configure(project: string, input: Record<string, unknown>) {
    const res = await t.gql(`mutation($i: ConfigureProjectInput!) { configureProject(input: $i) { id } }`, { i: { id: project, ...input } }, { as: Role.ADMIN });
    expect(res.errors).toBeUndefined();
  }

  async function verifiedIn(project: string) {
    const name = uniqueName('gate');
    const reg = await t.gql(`mutation($i: RegisterModelInput!) { registerModel(input: $i) { id } }`, { i: { name, sourceType: 'HUGGING_FACE', project } });
    expect(reg.errors).toBeUndefined();
    return importVerified(t, { name });
  }

  test('no licence: updateModel; no evidence: runEvaluation / runBenchmark and the accepted provenances', async () => {
    const project = uniqueName('p');
    await configure(project, { targets: [{ target: 'EVALUATED', gates: ['LICENSE_ALLOWED', 'EVALUATION_EVIDENCE'] }] });
    const { modelId, versionId } = await verifiedIn(project);
    expect((await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { license: null }) { id } }`, { id: modelId })).errors).toBeUndefined();
    const noLicense = await t.gql(REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(noLicense.errors![0]).toMatchObject({ extensions: { code: 'POLICY_VIOLATION', gate: 'license-allowed' } });
    expect(noLicense.errors![0].message).toMatch(/declares no license.*set one with updateModel\(id, input: \{ license \}\)/);

    await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { license: "MIT" }) { id } }`, { id: modelId });
    const noEvidence = await t.gql(REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(noEvidence.errors![0].extensions).toMatchObject({ gate: 'evaluation-evidence' });
    expect(noEvidence.errors![0].message).toMatch(/To pass: add evidence with runEvaluation or runBenchmark \(MEASURED\)/);
    expect(noEvidence.errors![0].message).toMatch(/does not count RECORDED or REPORTED \(configureProject/);
  });

  test('a SKIPPED scan: scanVersion with CLAMD_HOST, or allowSkippedScan in configureProject', async () => {
    const { modelId, versionId } = await verifiedIn(uniqueName('p'));
    await recordEvidence(t, versionId);
    await t.dataSource.query(
      `INSERT INTO scan_results (model_id, version_id, scanner, status, files_scanned, bytes_scanned, started_at, completed_at) VALUES ($1, $2, 'rescan', 'SKIPPED', 3, 10, now() + interval '1 second', now() + interval '2 seconds')`,
      [modelId, versionId],
    );
    const res = await t.gql(REQUEST, { v: versionId, to: 'EVALUATED' });
    expect(res.errors![0].extensions).toMatchObject({ code: 'POLICY_VIOLATION', gate: 'scan-passed' });
    expect(res.errors![0].message).toMatch(/CLAMD_HOST/);
    expect(res.errors![0].message).toMatch(/scanVersion\(versionId\)/);
    expect(res.errors![0].message).toMatch(/configureProject\(input: \{ id, allowSkippedScan: true \}\)/);
  });
});
