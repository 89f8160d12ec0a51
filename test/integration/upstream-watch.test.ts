import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Role } from '../../src/domain/auth/roles';
import type { ReportedScoresRefreshReport } from '../../src/domain/evaluation/reported-score-changes';
import type { RefreshReportedScoresInput } from '../../workflows/reported-scores.workflow';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { errorCode } from '../support/catalog-fixtures';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * The upstream watch rides on the reported-scores refresh: one conditional request per model and run to the local
 * hub-protocol server, whose repositories the tests change between runs (new commits, a new card licence, gated,
 * deleted). What it saw is asserted through GraphQL (Model.upstream, the versions, the audit log, the promotion
 * gates) and the hub's request log.
 */
let hub: HubServer;
let t: TestApp;
let connection: Connection;
let client: Client;
jest.setTimeout(240_000);

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_test_token', REPORTED_SCORES_CARD_TIMEOUT_MS: '5000', UPSTREAM_WATCH_REQUESTS_PER_MINUTE: '600' } });
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  client = new Client({ connection });
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await t?.stop();
  await hub?.close();
});

const weights = safetensors(tinyLlamaTensors());
const card = (license: string, note = '') => Buffer.from(`---\nlicense: ${license}\n---\n# Tiny\n${note}\n`);
const files = (license = 'apache-2.0', note = '') => ({ 'config.json': llamaConfig(), 'model.safetensors': weights, 'README.md': card(license, note) });

async function importHf(repoId: string, project: string): Promise<{ modelId: string; versionId: string }> {
  const res = await importModel(t, { name: uniqueName('up'), project, source: { sourceType: 'HUGGING_FACE', repoId, revision: 'main' } });
  expect(res.errors).toBeUndefined();
  expect((await waitForOperation(t, res.data!.importModel.id)).status).toBe('SUCCEEDED');
  return { modelId: res.data!.importModel.model.id, versionId: res.data!.importModel.version.id };
}

function refresh(modelIds: string[]): Promise<ReportedScoresRefreshReport> {
  const input: RefreshReportedScoresInput = { batch: 10, modelIds };
  return client.workflow.execute('refreshReportedScoresWorkflow', { taskQueue: t.config.temporal.taskQueue, workflowId: `upstream-test-${randomUUID()}`, args: [input] });
}

const UPSTREAM = 'upstream { repoId revision sha license gated state changedAt licenseChangedAt proposedVersion { id version status source } }';

async function model(id: string) {
  const res = await t.gql(`query($id: ID!) { model(id: $id) { ${UPSTREAM} versions { id version status } } }`, { id }, { as: Role.VIEWER });
  expect(res.errors).toBeUndefined();
  return res.data!.model;
}

async function audit(modelId: string, action: string) {
  const res = await t.gql(`query($m: ID!, $a: String!) { auditLog(modelId: $m, action: $a) { edges { node { actor subjectId reason details } } } }`, { m: modelId, a: action }, { as: Role.ADMIN });
  expect(res.errors).toBeUndefined();
  return res.data!.auditLog.edges.map((e: { node: unknown }) => e.node) as { actor: string; subjectId: string; reason: string | null; details: Record<string, unknown> }[];
}

async function events(modelId: string, type = 'upstream.changed'): Promise<Record<string, unknown>[]> {
  const rows = (await t.dataSource.query(`SELECT data FROM event_outbox WHERE type = $1 AND data->>'modelId' = $2 ORDER BY seq`, [type, modelId])) as { data: Record<string, unknown> }[];
  return rows.map((r) => r.data);
}

const infoRequests = (repoId: string) => hub.requests.filter((r) => r.path.startsWith(`/api/models/${repoId}/`)).length;
const cardReads = (repoId: string) => hub.requests.filter((r) => r.path.startsWith(`/${repoId}/resolve/`) && r.path.endsWith('/README.md')).length;

test('a new commit on the tracked ref: one conditional request per run, an upstream.changed audit/event, and a DRAFT proposal that submitVersion imports', async () => {
  const project = uniqueName('watch');
  const repoId = `acme/${uniqueName('commit')}`;
  hub.repos.set(repoId, { files: files() });
  const hf = await importHf(repoId, project);
  const imported = hub.commitOf(repoId, 'main');

  // First look: the commit and licence the import saw; one request, no card read, nothing proposed.
  let [info, cards] = [infoRequests(repoId), cardReads(repoId)];
  expect(await refresh([hf.modelId])).toMatchObject({ checked: 1, unchanged: 1, failed: 0 });
  expect([infoRequests(repoId) - info, cardReads(repoId) - cards]).toEqual([1, 0]);
  expect((await model(hf.modelId)).upstream).toMatchObject({ repoId, revision: 'main', sha: imported, license: 'apache-2.0', gated: false, state: 'AVAILABLE', changedAt: null, proposedVersion: null });
  // Again: the ETag goes along and the hub answers 304: still one request.
  [info, cards] = [infoRequests(repoId), cardReads(repoId)];
  expect(await refresh([hf.modelId])).toMatchObject({ checked: 1, unchanged: 1 });
  expect([infoRequests(repoId) - info, cardReads(repoId) - cards]).toEqual([1, 0]);

  const second = hub.moveBranch(repoId, 'main', files('apache-2.0', 'better weights'));
  [info, cards] = [infoRequests(repoId), cardReads(repoId)];
  await refresh([hf.modelId]);
  expect([infoRequests(repoId) - info, cardReads(repoId) - cards]).toEqual([1, 1]); // the new commit's card is read once, for its scores
  const seen = await model(hf.modelId);
  expect(seen.upstream).toMatchObject({ sha: second, changedAt: expect.any(String), proposedVersion: { version: '1.0.1', status: 'DRAFT', source: { type: 'HUGGING_FACE', repoId, revision: second } } });
  const [changed] = await audit(hf.modelId, 'upstream.changed');
  expect(changed).toMatchObject({ actor: 'system:upstream-watch', subjectId: repoId, details: { change: 'commit', previous: imported, current: second, action: 'proposed', repository: repoId, revision: 'main', versionId: seen.upstream.proposedVersion.id } });

  expect(await events(hf.modelId)).toEqual([expect.objectContaining({ project, change: 'commit', repository: repoId, revision: 'main', previous: imported, current: second, versionId: seen.upstream.proposedVersion.id })]);

  // A further commit before anyone imported the proposal moves that DRAFT on: no second draft.
  const third = hub.moveBranch(repoId, 'main', files('apache-2.0', 'even better'));
  await refresh([hf.modelId]);
  const later = await model(hf.modelId);
  expect(later.upstream.proposedVersion).toMatchObject({ id: seen.upstream.proposedVersion.id, version: '1.0.1', source: { revision: third } });
  expect(later.versions.map((v: { version: string }) => v.version).sort()).toEqual(['1.0.0', '1.0.1']);
  expect(await audit(hf.modelId, 'upstream.changed')).toHaveLength(2);

  // The proposal is importable by a person: the commit it points at, verified like any import.
  const submitted = await t.gql(`mutation($v: ID!) { submitVersion(versionId: $v) { id } }`, { v: later.upstream.proposedVersion.id });
  expect(submitted.errors).toBeUndefined();
  expect(await waitForOperation(t, submitted.data!.submitVersion.id)).toMatchObject({ status: 'SUCCEEDED' });
  const [row] = (await t.dataSource.query(`SELECT status, source_revision FROM model_versions WHERE id = $1`, [later.upstream.proposedVersion.id])) as { status: string; source_revision: string }[];
  expect(row).toEqual({ status: 'VERIFIED', source_revision: third });
});

test('a project whose admins chose IMPORT gets the new commit imported at once; editors cannot choose it', async () => {
  const project = uniqueName('watch-import');
  const byEditor = await t.gql(`mutation($p: String!) { configureProject(input: { id: $p, upstreamChanges: IMPORT }) { id } }`, { p: project }, { as: Role.EDITOR });
  expect(errorCode(byEditor)).toBe('FORBIDDEN');
  const set = await t.gql(`mutation($p: String!) { configureProject(input: { id: $p, upstreamChanges: IMPORT }) { policy { upstreamChanges } } }`, { p: project }, { as: Role.ADMIN });
  expect(set.data!.configureProject.policy.upstreamChanges).toBe('IMPORT');
  const repoId = `acme/${uniqueName('auto')}`;
  hub.repos.set(repoId, { files: files() });
  const hf = await importHf(repoId, project);
  await refresh([hf.modelId]);
  const next = hub.moveBranch(repoId, 'main', files('apache-2.0', 'v2'));
  await refresh([hf.modelId]);
  const [changed] = await audit(hf.modelId, 'upstream.changed');
  expect(changed.details).toMatchObject({ change: 'commit', current: next, action: 'import' });
  const versionId = changed.details.versionId as string;
  const deadline = Date.now() + 90_000;
  let status = '';
  while (Date.now() < deadline && status !== 'VERIFIED') {
    [{ status }] = (await t.dataSource.query(`SELECT status FROM model_versions WHERE id = $1`, [versionId])) as { status: string }[];
    if (status !== 'VERIFIED') await new Promise((resolve) => setTimeout(resolve, 300));
  }
  expect(status).toBe('VERIFIED');
  const [row] = (await t.dataSource.query(`SELECT source_revision, created_by FROM model_versions WHERE id = $1`, [versionId])) as { source_revision: string; created_by: string }[];
  expect(row).toEqual({ source_revision: next, created_by: 'system:upstream-watch' });
});

test('a licence change in the card: audited once, and an open promotion request it now fails is blocked at approval', async () => {
  const project = uniqueName('watch-lic');
  const configured = await t.gql(
    `mutation($p: String!) { configureProject(input: { id: $p, targets: [{ target: EVALUATED, gates: [] }, { target: PUBLISHED, gates: [LICENSE_ALLOWED, APPROVALS], requiredApprovals: 1 }] }) { id } }`,
    { p: project },
    { as: Role.ADMIN },
  );
  expect(configured.errors).toBeUndefined();
  const repoId = `acme/${uniqueName('lic')}`;
  hub.repos.set(repoId, { files: files('apache-2.0') });
  const hf = await importHf(repoId, project);
  expect((await t.gql(`mutation($v: ID!) { transitionVersion(id: $v, to: EVALUATED, reason: "ok") { status } }`, { v: hf.versionId })).data!.transitionVersion.status).toBe('EVALUATED');
  const asked = await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "ship it") { id state } }`, { v: hf.versionId });
  expect(asked.data!.requestPromotion.state).toBe('OPEN');
  const requestId = asked.data!.requestPromotion.id as string;
  await refresh([hf.modelId]);
  expect(await audit(hf.modelId, 'upstream.license_changed')).toEqual([]);

  hub.moveBranch(repoId, 'main', files('cc-by-nc-4.0'));
  await refresh([hf.modelId]);
  const [changed] = await audit(hf.modelId, 'upstream.license_changed');
  expect(changed.details).toMatchObject({ change: 'license', previous: 'apache-2.0', current: 'cc-by-nc-4.0', blockedRequests: [requestId] });
  const [blocked] = await audit(hf.modelId, 'license.blocked');
  expect(blocked).toMatchObject({ actor: 'system:upstream-watch', subjectId: requestId, reason: expect.stringContaining('upstream now licenses it under CC-BY-NC-4.0') });
  expect((await model(hf.modelId)).upstream).toMatchObject({ license: 'cc-by-nc-4.0', licenseChangedAt: expect.any(String) });
  expect((await events(hf.modelId)).filter((e) => e.change === 'license')).toEqual([expect.objectContaining({ project, previous: 'apache-2.0', current: 'cc-by-nc-4.0', blockedRequests: [requestId] })]);
  expect(await events(hf.modelId, 'license.blocked')).toEqual([expect.objectContaining({ project, requestId, versionId: hf.versionId, version: '1.0.0', license: 'Apache-2.0', upstreamLicense: 'cc-by-nc-4.0' })]);

  const approved = await t.gql(`mutation($r: ID!) { approvePromotion(requestId: $r) { state } }`, { r: requestId }, { as: Role.APPROVER });
  expect(errorCode(approved)).toBe('POLICY_VIOLATION');
  expect(approved.errors![0].extensions).toMatchObject({ gate: 'license-allowed' });
  expect(approved.errors![0].message).toContain('upstream now licenses it under CC-BY-NC-4.0');
  const check = await t.gql(`query($m: ID!, $v: ID!) { checkLicense(modelId: $m, versionId: $v) { outcome reasons { code severity } } }`, { m: hf.modelId, v: hf.versionId }, { as: Role.VIEWER });
  expect(check.data!.checkLicense.outcome).toBe('BLOCKED');
  expect(check.data!.checkLicense.reasons).toContainEqual({ code: 'upstream-non-commercial', severity: 'BLOCK' });
  // Non-commercial use is still allowed under the new terms.
  const research = await t.gql(`query($m: ID!, $v: ID!) { checkLicense(modelId: $m, versionId: $v, usage: { commercial: false }) { outcome } }`, { m: hf.modelId, v: hf.versionId }, { as: Role.VIEWER });
  expect(research.data!.checkLicense.outcome).not.toBe('BLOCKED');

  // The same licence on the next run is no new change.
  await refresh([hf.modelId]);
  expect(await audit(hf.modelId, 'upstream.license_changed')).toHaveLength(1);
});

test('a repository turned gated, one whose access was revoked and one that vanished: each an event, once; the scores are kept', async () => {
  const project = uniqueName('watch-gone');
  const [gatedRepo, revokedRepo, goneRepo] = ['gated', 'revoked', 'gone'].map((n) => `acme/${uniqueName(n)}`);
  for (const repoId of [gatedRepo, revokedRepo, goneRepo]) hub.repos.set(repoId, { files: files() });
  const gated = await importHf(gatedRepo, project);
  const revoked = await importHf(revokedRepo, project);
  const gone = await importHf(goneRepo, project);
  const ids = [gated.modelId, revoked.modelId, gone.modelId];
  expect(await refresh(ids)).toMatchObject({ checked: 3, failed: 0 });

  hub.repos.get(gatedRepo)!.gated = true; // gated upstream, this server was granted access
  hub.repos.get(revokedRepo)!.token = 'hf_someone_else'; // gated, and this server's token is not let in
  hub.repos.delete(goneRepo);
  const report = await refresh(ids);
  expect(report).toMatchObject({ checked: 3, failed: 2 });
  const reasons = new Map(report.failures.map((f) => [f.modelId, f.reason]));
  expect(reasons.get(revoked.modelId)).toMatch(/401 \(gated or private/);
  expect(reasons.get(gone.modelId)).toMatch(/404 \(gone\)/);

  expect((await audit(gated.modelId, 'upstream.unavailable')).map((r) => r.details)).toEqual([expect.objectContaining({ change: 'gated', previous: null, current: 'manual', status: null, repository: gatedRepo })]);
  expect((await audit(revoked.modelId, 'upstream.unavailable')).map((r) => r.details)).toEqual([expect.objectContaining({ change: 'gated', previous: 'AVAILABLE', current: 'GATED', status: 401 })]);
  expect((await audit(gone.modelId, 'upstream.unavailable')).map((r) => r.details)).toEqual([expect.objectContaining({ change: 'vanished', previous: 'AVAILABLE', current: 'GONE', status: 404 })]);
  expect((await model(gated.modelId)).upstream).toMatchObject({ gated: true, state: 'AVAILABLE' });
  expect((await model(revoked.modelId)).upstream).toMatchObject({ state: 'GATED' });
  expect((await model(gone.modelId)).upstream).toMatchObject({ state: 'GONE' });
  expect(await events(gated.modelId)).toEqual([expect.objectContaining({ project, change: 'gated' })]);
  expect(await events(revoked.modelId)).toEqual([expect.objectContaining({ project, change: 'gated', current: 'GATED' })]);
  expect(await events(gone.modelId)).toEqual([expect.objectContaining({ project, change: 'vanished', current: 'GONE' })]);

  // Still so on the next run: no second event.
  await refresh(ids);
  for (const id of ids) expect(await audit(id, 'upstream.unavailable')).toHaveLength(1);
  for (const id of ids) expect(await events(id)).toHaveLength(1);
});

test('requests to the hub keep to UPSTREAM_WATCH_REQUESTS_PER_MINUTE whatever the concurrency', async () => {
  const project = uniqueName('watch-rate');
  const repos = Array.from({ length: 4 }, () => `acme/${uniqueName('rate')}`);
  const models: string[] = [];
  for (const repoId of repos) {
    hub.repos.set(repoId, { files: files() });
    models.push((await importHf(repoId, project)).modelId);
  }
  const from = hub.requests.length;
  const started = Date.now();
  await refresh(models);
  const elapsed = Date.now() - started;
  const looks = hub.requests.slice(from).filter((r) => repos.some((repoId) => r.path.startsWith(`/api/models/${repoId}/`)));
  expect(looks).toHaveLength(4);
  // 600 a minute: 100 ms apart at least, so four looks span 300 ms or more even with four lanes.
  expect(elapsed).toBeGreaterThanOrEqual(300);
});
