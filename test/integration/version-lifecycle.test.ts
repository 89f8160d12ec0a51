import { Client, Connection } from '@temporalio/client';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { SourceType } from '../../src/domain/catalog/catalog-enums';
import type { ImportIds } from '../../src/services/import-outcome.service';
import { errorCode, publish, recordEvidence, transition } from '../support/catalog-fixtures';
import { importModel, importVerified, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
/** The same database and Temporal, with no worker polling its queue: workflows start and wait. */
let idle: TestApp;
let temporal: Client;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  idle = await startTestApp();
  await mkdir(idle.config.imports.diskRoots[0], { recursive: true });
  temporal = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }) });
});
afterAll(async () => {
  await idle.stop();
  await t.stop();
  await temporal.connection.close();
});

const STATE = `query($id: ID!) { model(id: $id) { status defaultVersion { version } versions { version status filesComplete files { path } } } }`;
const modelState = async (app: TestApp, id: string) => (await app.gql(STATE, { id }, { as: Role.VIEWER })).data!.model;

async function brokenDir(app: TestApp): Promise<string> {
  const dir = path.join(app.config.imports.diskRoots[0], uniqueName('broken'));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.safetensors'), Buffer.from('not a safetensors file at all'));
  return dir;
}

test('two versions of one model imported at once both end VERIFIED', async () => {
  const name = uniqueName('twins');
  const dir = await writeModelDir(t);
  const first = await importModel(t, { name, version: '1.0.0', source: { sourceType: 'DISK', path: dir } });
  const second = await importModel(t, { name, version: '2.0.0', source: { sourceType: 'DISK', path: dir } });
  const ops = await Promise.all([waitForOperation(t, first.data!.importModel.id), waitForOperation(t, second.data!.importModel.id)]);
  expect(ops.map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  const model = await modelState(t, first.data!.importModel.model.id);
  expect(model.status).toBe('VERIFIED');
  expect(model.versions.map((v: { version: string; status: string; filesComplete: boolean }) => [v.version, v.status, v.filesComplete])).toEqual([
    ['2.0.0', 'VERIFIED', true],
    ['1.0.0', 'VERIFIED', true],
  ]);
});

test('a PUBLISHED model takes new versions, good and bad, without its published version or default changing', async () => {
  const name = uniqueName('published');
  const dir = await writeModelDir(t);
  const { modelId, versionId } = await importVerified(t, { name, dir, license: 'Apache-2.0' });
  await recordEvidence(t, versionId);
  expect((await transition(t, versionId, 'EVALUATED')).errors).toBeUndefined();
  expect((await publish(t, versionId)).errors).toBeUndefined();

  const next = await importModel(t, { name, version: '1.1.0', source: { sourceType: 'DISK', path: dir } });
  expect(next.data!.importModel.model.status).toBe('PUBLISHED');
  expect((await waitForOperation(t, next.data!.importModel.id)).status).toBe('SUCCEEDED');
  const bad = await importModel(t, { name, version: '1.2.0', source: { sourceType: 'DISK', path: await brokenDir(t) } });
  expect((await waitForOperation(t, bad.data!.importModel.id)).status).toBe('FAILED');
  const model = await modelState(t, modelId);
  expect(model.status).toBe('PUBLISHED');
  expect(model.defaultVersion).toEqual({ version: '1.0.0' });
  expect(model.versions.map((v: { version: string; status: string }) => [v.version, v.status])).toEqual([
    ['1.2.0', 'NEEDS_ATTENTION'],
    ['1.1.0', 'VERIFIED'],
    ['1.0.0', 'PUBLISHED'],
  ]);
  const moves = await t.dataSource.query('SELECT to_status FROM lifecycle_transitions WHERE version_id = $1 ORDER BY occurred_at', [versionId]);
  expect(moves.map((m: { to_status: string }) => m.to_status)).toEqual(['DRAFT', 'INGESTING', 'VERIFIED', 'EVALUATED', 'PUBLISHED']);
});

test('a model whose only version NEEDS_ATTENTION is VERIFIED once a fixed version imports', async () => {
  const name = uniqueName('wrong');
  const dir = await writeModelDir(t);
  const declared = await importModel(t, { name, architecture: 'MistralForCausalLM', source: { sourceType: 'DISK', path: dir } });
  const failed = await waitForOperation(t, declared.data!.importModel.id);
  expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'VERIFICATION_FAILED' });
  const modelId = declared.data!.importModel.model.id;
  const fix = await t.gql(`mutation($id: ID!) { updateModel(id: $id, input: { architecture: "LlamaForCausalLM" }) { status } }`, { id: modelId });
  expect(fix.data!.updateModel.status).toBe('NEEDS_ATTENTION');
  const fixed = await importModel(t, { name, version: '1.0.1', source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, fixed.data!.importModel.id)).status).toBe('SUCCEEDED');
  const model = await modelState(t, modelId);
  expect(model).toMatchObject({ status: 'VERIFIED', defaultVersion: { version: '1.0.1' } });
  // The mismatched version keeps its complete manifest, flagged, and is never the default.
  expect(model.versions[1]).toMatchObject({ version: '1.0.0', status: 'NEEDS_ATTENTION', filesComplete: true });
});

test('retry: only the latest operation, only a version that needs attention; a retried success stays put', async () => {
  const name = uniqueName('retry');
  const started = await importModel(t, { name, source: { sourceType: 'DISK', path: await brokenDir(t) } });
  const first = await waitForOperation(t, started.data!.importModel.id);
  expect(first.status).toBe('FAILED');
  const retried = await t.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: first.id });
  expect(retried.errors).toBeUndefined();
  const second = await waitForOperation(t, retried.data!.retryOperation.id);
  expect(second.status).toBe('FAILED');
  const stale = await t.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: first.id });
  expect(errorCode(stale)).toBe('CONFLICT');
  expect(stale.errors![0].message).toMatch(/not the latest/);

  const { operationId } = await importVerified(t);
  const done = await t.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: operationId });
  expect(errorCode(done)).toBe('CONFLICT');
  const ops = await t.dataSource.query('SELECT count(*)::int AS n FROM operations WHERE version_id = (SELECT version_id FROM operations WHERE id = $1)', [operationId]);
  expect(ops[0].n).toBe(1);
});

/** An import whose workflow waits on an unpolled queue; the test drives the activities' services itself. */
async function stagedImport(): Promise<ImportIds & { workflowId: string }> {
  const dir = await writeModelDir(idle);
  const res = await importModel(idle, { name: uniqueName('race'), source: { sourceType: 'DISK', path: dir } });
  const op = res.data!.importModel;
  const ids = { operationId: op.id, modelId: op.model.id, versionId: op.version.id };
  const source = { type: SourceType.DISK as const, path: dir };
  await idle.services.ingestion.listFiles(ids.operationId, source);
  await idle.services.ingestion.stageAll({ operationId: ids.operationId, versionId: ids.versionId, source });
  return { ...ids, workflowId: op.workflowId };
}

async function settle(ids: ImportIds) {
  const inspection = await idle.services.inspection.inspect(ids.versionId, await idle.services.listings.manifest(ids.operationId));
  // No VERIFIED without a passing scan: the import's scan steps, as its workflow runs them.
  const scan = await idle.services.scanRuns.begin(ids, 'IMPORT');
  await idle.services.scanRuns.scan(scan.scanResultId);
  await idle.services.scanRuns.finish(scan.scanResultId);
  return { complete: () => idle.services.outcomes.complete(ids, inspection), cancel: () => idle.services.outcomes.cancelled(ids) };
}

async function stored(ids: ImportIds) {
  const [op] = await idle.dataSource.query('SELECT status FROM operations WHERE id = $1', [ids.operationId]);
  const [version] = await idle.dataSource.query('SELECT status, files_complete FROM model_versions WHERE id = $1', [ids.versionId]);
  const [files] = await idle.dataSource.query('SELECT count(*)::int AS n FROM version_files WHERE version_id = $1', [ids.versionId]);
  const [moves] = await idle.dataSource.query('SELECT count(*)::int AS n FROM lifecycle_transitions WHERE version_id = $1', [ids.versionId]);
  return { operation: op.status, version: version.status, filesComplete: version.files_complete, files: files.n, moves: moves.n };
}

test('completion is exactly once: a repeated complete, a late fail and a late cancel change nothing', async () => {
  const ids = await stagedImport();
  const { complete, cancel } = await settle(ids);
  expect((await complete()).settled).toBe(true);
  const after = await stored(ids);
  expect(after).toEqual({ operation: 'SUCCEEDED', version: 'VERIFIED', filesComplete: true, files: 3, moves: 3 });
  expect(await complete()).toMatchObject({ settled: false, status: 'VERIFIED' });
  expect((await idle.services.outcomes.fail(ids, 'FAILED', 'late failure')).settled).toBe(false);
  expect((await cancel()).settled).toBe(false);
  expect(await stored(ids)).toEqual(after);
  await temporal.workflow.getHandle(ids.workflowId).terminate('test done');
});

test.each([
  ['cancel first', true],
  ['complete first', false],
])('cancel and complete racing (%s): exactly one wins, the other is a no-op', async (_label, cancelFirst) => {
  const ids = await stagedImport();
  const { complete, cancel } = await settle(ids);
  const [a, b] = cancelFirst ? await Promise.all([cancel(), complete()]) : await Promise.all([complete(), cancel()]);
  expect([a.settled, b.settled].filter(Boolean)).toHaveLength(1);
  const state = await stored(ids);
  if (state.operation === 'SUCCEEDED') expect(state).toEqual({ operation: 'SUCCEEDED', version: 'VERIFIED', filesComplete: true, files: 3, moves: 3 });
  else expect(state).toEqual({ operation: 'CANCELLED', version: 'NEEDS_ATTENTION', filesComplete: false, files: 0, moves: 3 });
  await temporal.workflow.getHandle(ids.workflowId).terminate('test done');
});

test('the reconciler settles an import whose workflow was terminated; its retry then completes', async () => {
  const dir = await writeModelDir(idle);
  const res = await importModel(idle, { name: uniqueName('orphan'), source: { sourceType: 'DISK', path: dir } });
  const op = res.data!.importModel;
  await temporal.workflow.getHandle(op.workflowId).terminate('terminated from Temporal UI');
  expect((await idle.gql(`query($id: ID!) { operation(id: $id) { status } }`, { id: op.id })).data!.operation.status).toBe('PENDING');
  const report = await idle.services.reconciler.runOnce(0);
  expect(report.settled).toContainEqual({ operationId: op.id, workflow: 'terminated' });
  const settled = await waitForOperation(idle, op.id, 5000);
  expect(settled).toMatchObject({ status: 'FAILED', errorCode: 'WORKFLOW_TERMINATED' });
  const version = (await idle.gql(`query($id: ID!) { version(id: $id) { status statusReason } }`, { id: op.version.id })).data!.version;
  expect(version).toMatchObject({ status: 'NEEDS_ATTENTION', statusReason: expect.stringMatching(/terminated/) });
  expect((await idle.services.reconciler.runOnce(0)).settled.map((s) => s.operationId)).not.toContain(op.id);

  const worker = await idle.startWorker();
  const retried = await idle.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: op.id });
  expect((await waitForOperation(idle, retried.data!.retryOperation.id)).status).toBe('SUCCEEDED');
  await worker.stop();
});

test('deleting a model with a running import is refused, naming the operation', async () => {
  const res = await importModel(idle, { name: uniqueName('busy'), source: { sourceType: 'DISK', path: await writeModelDir(idle) } });
  const op = res.data!.importModel;
  const refused = await idle.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: op.model.id }, { as: Role.ADMIN });
  expect(errorCode(refused)).toBe('CONFLICT');
  expect(refused.errors![0].message).toContain(op.id);
  const cancelled = await idle.gql(`mutation($id: ID!) { cancelOperation(id: $id) { status } }`, { id: op.id });
  expect(cancelled.errors).toBeUndefined();
  await temporal.workflow.getHandle(op.workflowId).terminate('no worker in this test');
  await idle.services.reconciler.runOnce(0);
  expect((await idle.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: op.model.id }, { as: Role.ADMIN })).errors).toBeUndefined();
});

test('a retry while the previous run is still closing answers CONFLICT and leaves no operation without a workflow', async () => {
  const res = await importModel(idle, { name: uniqueName('closing'), source: { sourceType: 'DISK', path: await writeModelDir(idle) } });
  const op = res.data!.importModel;
  // The run settled its operation (as its fail step does) but its workflow has not closed yet.
  await idle.services.outcomes.fail({ operationId: op.id, modelId: op.model.id, versionId: op.version.id }, 'FAILED', 'source went away');
  const early = await idle.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: op.id });
  expect(errorCode(early)).toBe('CONFLICT');
  expect(early.errors![0].message).toMatch(/still closing/);
  const [ops] = await idle.dataSource.query('SELECT count(*)::int AS n FROM operations WHERE version_id = $1', [op.version.id]);
  expect(ops.n).toBe(1);
  const [version] = await idle.dataSource.query('SELECT status FROM model_versions WHERE id = $1', [op.version.id]);
  expect(version.status).toBe('NEEDS_ATTENTION');

  await temporal.workflow.getHandle(op.workflowId).terminate('closed');
  const worker = await idle.startWorker();
  const retried = await idle.gql(`mutation($id: ID!) { retryOperation(id: $id) { id } }`, { id: op.id });
  expect((await waitForOperation(idle, retried.data!.retryOperation.id)).status).toBe('SUCCEEDED');
  await worker.stop();
});
