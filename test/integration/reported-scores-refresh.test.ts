import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import type { ReportedScoresRefreshReport } from '../../src/domain/evaluation/reported-score-changes';
import { ensureReportedScoresSchedule, reportedScoresRunId, reportedScoresScheduleId } from '../../src/temporal/reported-scores-schedule';
import type { RefreshReportedScoresInput, refreshReportedScoresWorkflow } from '../../workflows/reported-scores.workflow';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let hub: HubServer;
let t: TestApp;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  hub = await startHubServer();
  // A short card time-out, so a hub that stalls mid-README fails the model in seconds.
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_test_token', REPORTED_SCORES_CARD_TIMEOUT_MS: '2000', UPSTREAM_WATCH_REQUESTS_PER_MINUTE: '60000' } });
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection.close();
  await t.stop();
  await hub.close();
});

/** A model card whose model-index reports these scores (benchmark → [metric, value]). */
function card(scores: Record<string, [string, number]>, body = '# Tiny\n'): Buffer {
  const results = Object.entries(scores).map(([benchmark, [metric, value]]) =>
    [`  - task: { type: text-generation }`, `    dataset: { name: ${benchmark}, type: ${benchmark} }`, `    metrics:`, `    - { type: ${metric}, value: ${value} }`].join('\n'),
  );
  return Buffer.from(['---', 'license: apache-2.0', 'model-index:', '- name: tiny', '  results:', ...results, '---', '', body].join('\n'));
}

const weights = safetensors(tinyLlamaTensors());
const repoFiles = (readme: Buffer) => ({ 'config.json': llamaConfig(), 'model.safetensors': weights, 'README.md': readme });

interface Row {
  id: string;
  benchmark: string;
  score: number;
  metric: string;
  provenance: string;
  recordedBy: string;
  recordedAt: string;
  details: Record<string, unknown>;
}

async function evaluations(modelId: string): Promise<Row[]> {
  const res = await t.gql(`query($id: ID!) { model(id: $id) { evaluations { id benchmark score metric provenance recordedBy recordedAt details } } }`, { id: modelId }, { as: Role.VIEWER });
  expect(res.errors).toBeUndefined();
  return [...(res.data!.model.evaluations as Row[])].sort((a, b) => `${a.provenance}${a.benchmark}`.localeCompare(`${b.provenance}${b.benchmark}`));
}

const reported = (rows: Row[]) => rows.filter((r) => r.provenance === 'REPORTED').map((r) => [r.benchmark, r.metric, r.score, r.details.upstreamRevision]);

async function importHf(repoId: string): Promise<{ modelId: string; versionId: string }> {
  const res = await importModel(t, { name: uniqueName('hf'), source: { sourceType: 'HUGGING_FACE', repoId, revision: 'main' } });
  expect(res.errors).toBeUndefined();
  expect((await waitForOperation(t, res.data!.importModel.id)).status).toBe('SUCCEEDED');
  return { modelId: res.data!.importModel.model.id, versionId: res.data!.importModel.version.id };
}

function refresh(input: RefreshReportedScoresInput): Promise<ReportedScoresRefreshReport> {
  return client.workflow.execute('refreshReportedScoresWorkflow', { taskQueue: t.config.temporal.taskQueue, workflowId: `reported-scores-test-${randomUUID()}`, args: [input] });
}

test('a changed upstream card replaces the REPORTED scores with the new sha; an unchanged one rewrites nothing; a removed repo keeps its scores and counts as failed; hand-recorded rows and other sources are never touched', async () => {
  const repoId = `acme/${uniqueName('card')}`;
  hub.repos.set(repoId, { files: repoFiles(card({ mmlu: ['acc', 0.42] })) });
  const hf = await importHf(repoId);
  const firstSha = hub.commitOf(repoId, 'main');
  expect(reported(await evaluations(hf.modelId))).toEqual([['mmlu', 'acc', 0.42, firstSha]]);
  const recorded = await t.gql(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: 0.39 }) { id provenance } }`, { v: hf.versionId });
  expect(recorded.data!.recordEvaluation.provenance).toBe('RECORDED');

  // A model imported from disk reports scores too, but has no upstream to follow.
  const dir = await writeModelDir(t);
  await writeFile(path.join(dir, 'README.md'), card({ mmlu: ['acc', 0.5] }));
  const disk = await importModel(t, { name: uniqueName('disk'), source: { sourceType: 'DISK', path: dir } });
  expect((await waitForOperation(t, disk.data!.importModel.id)).status).toBe('SUCCEEDED');
  const diskModel = disk.data!.importModel.model.id as string;
  const diskBefore = await evaluations(diskModel);
  expect(reported(diskBefore)).toEqual([['mmlu', 'acc', 0.5, null]]);

  // Upstream publishes new results: one changed, one added.
  const secondSha = hub.moveBranch(repoId, 'main', repoFiles(card({ mmlu: ['acc', 0.45], gsm8k: ['acc', 0.3] })));
  const before = await evaluations(hf.modelId);
  const started = Date.now();
  const changed = await refresh({ batch: 10, modelIds: [hf.modelId, diskModel] });
  expect(changed).toEqual({ checked: 2, changed: 1, unchanged: 0, skipped: 1, failed: 0, failures: [] });
  const after = await evaluations(hf.modelId);
  expect(reported(after)).toEqual([['gsm8k', 'acc', 0.3, secondSha], ['mmlu', 'acc', 0.45, secondSha]]);
  const fresh = after.filter((r) => r.provenance === 'REPORTED');
  for (const row of fresh) {
    expect(row.recordedBy).toBe('reported-scores-refresh');
    expect(Date.parse(row.details.fetchedAt as string)).toBeGreaterThanOrEqual(started - 1000);
    expect(row.recordedAt).toBe(row.details.fetchedAt);
  }
  const ownRows = (rows: Row[]) => rows.filter((r) => r.provenance !== 'REPORTED');
  expect(ownRows(after)).toEqual(ownRows(before));
  expect(ownRows(after).map((r) => [r.provenance, r.score])).toEqual([['RECORDED', 0.39]]);
  expect(await evaluations(diskModel)).toEqual(diskBefore);

  // Same card again, then a new commit that leaves the model-index alone: nothing is rewritten.
  expect(await refresh({ batch: 10, modelIds: [hf.modelId] })).toMatchObject({ checked: 1, unchanged: 1, changed: 0 });
  hub.moveBranch(repoId, 'main', repoFiles(card({ mmlu: ['acc', 0.45], gsm8k: ['acc', 0.3] }, '# Tiny\n\nNow with a longer description.\n')));
  expect(await refresh({ batch: 10, modelIds: [hf.modelId] })).toMatchObject({ checked: 1, unchanged: 1, changed: 0 });
  expect(await evaluations(hf.modelId)).toEqual(after);

  // The repository disappears (deleted or made private): the scores stay, the model counts as failed.
  hub.repos.delete(repoId);
  const gone = await refresh({ batch: 10, modelIds: [hf.modelId] });
  expect(gone).toMatchObject({ checked: 1, changed: 0, failed: 1, failures: [{ modelId: hf.modelId, reason: expect.stringContaining('404') }] });
  expect(await evaluations(hf.modelId)).toEqual(after);
}, 120_000);

test('a gated repository without access, an oversized card and a stalled hub fail those models; a card that drops its model-index clears the REPORTED rows', async () => {
  const gated = `acme/${uniqueName('gated')}`;
  hub.repos.set(gated, { files: repoFiles(card({ mmlu: ['acc', 0.6] })), token: 'hf_test_token' });
  const a = await importHf(gated);
  const cleared = `acme/${uniqueName('cleared')}`;
  hub.repos.set(cleared, { files: repoFiles(card({ mmlu: ['acc', 0.7] })) });
  const b = await importHf(cleared);
  hub.repos.get(gated)!.token = 'hf_someone_else'; // access revoked upstream
  const sha = hub.moveBranch(cleared, 'main', repoFiles(Buffer.from('---\nlicense: apache-2.0\n---\n# No scores any more\n')));
  const huge = `acme/${uniqueName('huge')}`;
  hub.repos.set(huge, { files: repoFiles(card({ mmlu: ['acc', 0.1] })) });
  const c = await importHf(huge);
  hub.moveBranch(huge, 'main', repoFiles(card({ mmlu: ['acc', 0.2] }, 'x'.repeat(5 * 1024 * 1024))));
  const stalled = `acme/${uniqueName('stalled')}`;
  hub.repos.set(stalled, { files: repoFiles(card({ mmlu: ['acc', 0.3] })) });
  const d = await importHf(stalled);
  hub.moveBranch(stalled, 'main', repoFiles(card({ mmlu: ['acc', 0.35] })));
  hub.stall(stalled, 'README.md', { afterBytes: 10 });
  // A broken upstream edit (front matter that is not YAML) must not wipe the scores.
  const broken = `acme/${uniqueName('broken')}`;
  hub.repos.set(broken, { files: repoFiles(card({ mmlu: ['acc', 0.4] })) });
  const e = await importHf(broken);
  hub.moveBranch(broken, 'main', repoFiles(Buffer.from('---\nlicense: [apache-2.0\nmodel-index: {\n---\n# oops\n')));

  const started = Date.now();
  const report = await refresh({ batch: 10, modelIds: [a.modelId, b.modelId, c.modelId, d.modelId, e.modelId, 'not-a-uuid', randomUUID()] });
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(report).toMatchObject({ checked: 7, changed: 1, failed: 4, skipped: 2 });
  const reasons = new Map(report.failures.map((f) => [f.modelId, f.reason]));
  expect(reasons.get(a.modelId)).toContain('401');
  expect(reasons.get(c.modelId)).toContain('larger than 4194304 bytes');
  expect(reasons.get(d.modelId)).toMatch(/abort|time/i);
  expect(reasons.get(e.modelId)).toMatch(/front matter does not parse.*kept/);
  expect(reported(await evaluations(e.modelId))).toEqual([['mmlu', 'acc', 0.4, expect.any(String)]]);
  expect(reported(await evaluations(c.modelId))).toEqual([['mmlu', 'acc', 0.1, expect.any(String)]]);
  expect(reported(await evaluations(d.modelId))).toEqual([['mmlu', 'acc', 0.3, expect.any(String)]]);
  expect(reported(await evaluations(a.modelId))).toEqual([['mmlu', 'acc', 0.6, expect.any(String)]]);
  expect(reported(await evaluations(b.modelId))).toEqual([]);
  expect(sha).toMatch(/^[0-9a-f]{40}$/);
}, 120_000);

test('the schedule is created from the cron setting, updated in place, triggered to refresh every Hugging Face model, and removed when off', async () => {
  const repoId = `acme/${uniqueName('sched')}`;
  hub.repos.set(repoId, { files: repoFiles(card({ hellaswag: ['acc_norm', 0.8] })) });
  const hf = await importHf(repoId);
  const sha = hub.moveBranch(repoId, 'main', repoFiles(card({ hellaswag: ['acc_norm', 0.81] })));

  const address = process.env.TEST_TEMPORAL_ADDRESS!;
  const temporal = t.config.temporal; // this file's queue: its worker runs what the schedule starts
  const settings = { refreshCron: '0 */6 * * *', refreshBatch: 2, refreshConcurrency: 4, cardTimeoutMs: 30_000, hubRequestsPerMinute: 600 };
  expect(await ensureReportedScoresSchedule(address, temporal, settings)).toBe('created');
  try {
    expect(await ensureReportedScoresSchedule(address, temporal, { ...settings, refreshCron: '15 */6 * * *' })).toBe('updated');
    const handle = client.schedule.getHandle(reportedScoresScheduleId(temporal.taskQueue));
    const described = await handle.describe();
    expect(described.spec.calendars).toEqual([expect.objectContaining({ minute: [{ start: 15, end: 15, step: 1 }], hour: [{ start: 0, end: 23, step: 6 }] })]);
    expect(described.spec.intervals ?? []).toEqual([]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'refreshReportedScoresWorkflow', taskQueue: temporal.taskQueue, args: [{ batch: 2 }] });
    expect(described.policies.overlap).toBe('SKIP');

    await handle.trigger();
    // The trigger starts the run asynchronously; Temporal suffixes the action's workflow id with the start time.
    let started: { workflowId: string; firstExecutionRunId: string } | undefined;
    for (const deadline = Date.now() + 30_000; !started && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      started = (await handle.describe()).info.recentActions[0]?.action.workflow;
    }
    expect(started!.workflowId.startsWith(`${reportedScoresRunId(temporal.taskQueue)}-`)).toBe(true);
    const report = (await client.workflow.getHandle(started!.workflowId).result()) as ReportedScoresRefreshReport;
    // Every Hugging Face model in the database is checked (other files' models fail here: their hubs are elsewhere).
    expect(report.checked).toBeGreaterThanOrEqual(1);
    expect(reported(await evaluations(hf.modelId))).toEqual([['hellaswag', 'acc_norm', 0.81, sha]]);
  } finally {
    expect(await ensureReportedScoresSchedule(address, temporal, { ...settings, refreshCron: null })).toBe('deleted');
  }
  expect(await ensureReportedScoresSchedule(address, temporal, { ...settings, refreshCron: null })).toBe('absent');
}, 120_000);

test('a worker started with REPORTED_SCORES_REFRESH_CRON creates the schedule for its task queue', async () => {
  const other = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url, REPORTED_SCORES_REFRESH_CRON: '@every 6h' } });
  try {
    const handle = client.schedule.getHandle(reportedScoresScheduleId(other.config.temporal.taskQueue));
    let described: Awaited<ReturnType<typeof handle.describe>> | null = null;
    for (const deadline = Date.now() + 15_000; !described && Date.now() < deadline; ) {
      described = await handle.describe().catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 200)); // created in the background after the worker starts
        return null;
      });
    }
    expect(described!.spec.intervals).toEqual([expect.objectContaining({ every: 6 * 3_600_000 })]);
    expect(described!.action).toMatchObject({ workflowType: 'refreshReportedScoresWorkflow', taskQueue: other.config.temporal.taskQueue, args: [{ batch: 100 }] });
  } finally {
    await ensureReportedScoresSchedule(process.env.TEST_TEMPORAL_ADDRESS!, other.config.temporal, { ...other.config.reportedScores, refreshCron: null });
    await other.stop();
  }
}, 60_000);

test('paging: many models in small pages across continue-as-new runs are each refreshed once; figures per model', async () => {
  const count = 60;
  const template = `acme/${uniqueName('tmpl')}`;
  hub.repos.set(template, { files: repoFiles(card({ arc: ['acc', 0.1] })) });
  const seed = await importHf(template);
  // Clones of the imported model and version (the refresh reads only rows and cards; importing 60 would take minutes).
  const columns = async (table: string) =>
    ((await t.dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_generated = 'NEVER'`, [table])) as { column_name: string }[])
      .map((c) => `"${c.column_name}"`);
  const [modelColumns, versionColumns] = [await columns('models'), await columns('model_versions')];
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const repoId = `acme/${uniqueName('many')}`;
    hub.repos.set(repoId, { files: { 'README.md': card({ arc: ['acc', 0.2 + i / 1000] }) } });
    const modelId = randomUUID();
    const versionId = randomUUID();
    await t.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO models (${modelColumns.join(', ')}) SELECT ${modelColumns.map((c) => `r.${c}`).join(', ')} FROM models m, jsonb_populate_record(NULL::models, to_jsonb(m) || jsonb_build_object('id', $2::uuid, 'name', $3::text, 'default_version_id', NULL)) r WHERE m.id = $1`,
        [seed.modelId, modelId, uniqueName('clone')],
      );
      await tx.query(
        `INSERT INTO model_versions (${versionColumns.join(', ')}) SELECT ${versionColumns.map((c) => `r.${c}`).join(', ')} FROM model_versions v, jsonb_populate_record(NULL::model_versions, to_jsonb(v) || jsonb_build_object('id', $2::uuid, 'model_id', $3::uuid, 'source', jsonb_build_object('type', 'HUGGING_FACE', 'repoId', $4::text, 'revision', 'main'))) r WHERE v.id = $1`,
        [seed.versionId, versionId, modelId, repoId],
      );
      await tx.query(`UPDATE models SET default_version_id = $1 WHERE id = $2`, [versionId, modelId]);
    });
    ids.push(modelId);
  }
  const started = performance.now();
  const handle = await client.workflow.start<typeof refreshReportedScoresWorkflow>('refreshReportedScoresWorkflow', { taskQueue: t.config.temporal.taskQueue, workflowId: `reported-scores-test-${randomUUID()}`, args: [{ batch: 7, pagesPerRun: 3 }] });
  const report = await handle.result();
  const elapsed = performance.now() - started;
  // The last run (after continue-as-new) carries the totals of all of them, and answers the progress query.
  expect(await handle.query<ReportedScoresRefreshReport>('reportedScoresRefreshProgress')).toEqual(report);
  expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
  expect(report.changed).toBeGreaterThanOrEqual(count);
  expect(report.checked).toBeGreaterThanOrEqual(count + 1);
  const rows: { model_id: string; score: number }[] = await t.dataSource.query(
    `SELECT model_id, score FROM evaluations WHERE provenance = 'REPORTED' AND model_id = ANY($1::uuid[])`,
    [ids],
  );
  expect(rows).toHaveLength(count);
  expect(new Set(rows.map((r) => r.model_id)).size).toBe(count);
  console.log(`reported-scores refresh: ${report.checked} models in ${elapsed.toFixed(0)} ms over pages of 7 (${(elapsed / report.checked).toFixed(1)} ms a model, concurrency ${t.config.reportedScores.refreshConcurrency})`);
  const again = performance.now();
  const second = await refresh({ batch: 100, modelIds: ids });
  const unchangedMs = performance.now() - again;
  expect(second).toMatchObject({ checked: count, unchanged: count, changed: 0 });
  console.log(`reported-scores refresh, nothing changed: ${count} models in ${unchangedMs.toFixed(0)} ms (${(unchangedMs / count).toFixed(1)} ms a model)`);
  const paged = performance.now();
  const third = await refresh({ batch: 7, pagesPerRun: 3 });
  const pagedMs = performance.now() - paged;
  expect(third.changed).toBe(0);
  console.log(`reported-scores refresh, nothing changed, pages of 7: ${third.checked} models in ${pagedMs.toFixed(0)} ms (${(pagedMs / third.checked).toFixed(1)} ms a model)`);
}, 180_000);

test('refreshReportedScores(modelId): an admin refreshes one model now; others are refused, and so are ids that are not Hugging Face models', async () => {
  const repoId = `acme/${uniqueName('now')}`;
  hub.repos.set(repoId, { files: repoFiles(card({ truthfulqa: ['mc2', 0.4] })) });
  const hf = await importHf(repoId);
  const sha = hub.moveBranch(repoId, 'main', repoFiles(card({ truthfulqa: ['mc2', 0.44] })));
  const mutation = `mutation($id: ID!) { refreshReportedScores(modelId: $id) { checked changed unchanged skipped failed failures { modelId reason } } }`;

  const refused = await t.gql(mutation, { id: hf.modelId }, { as: Role.APPROVER });
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  // An admin of another project cannot tell the model exists: NOT_FOUND, as for an unknown id.
  const elsewhere = await issueToken(t.config.auth, 'admin-elsewhere', [], 3600, new Map([[uniqueName('elsewhere'), [Role.ADMIN]]]));
  expect((await t.gql(mutation, { id: hf.modelId }, { token: elsewhere })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect(reported(await evaluations(hf.modelId))).toEqual([['truthfulqa', 'mc2', 0.4, expect.not.stringMatching(sha)]]);

  const res = await t.gql(mutation, { id: hf.modelId }, { as: Role.ADMIN });
  expect(res.errors).toBeUndefined();
  expect(res.data!.refreshReportedScores).toEqual({ checked: 1, changed: 1, unchanged: 0, skipped: 0, failed: 0, failures: [] });
  expect(reported(await evaluations(hf.modelId))).toEqual([['truthfulqa', 'mc2', 0.44, sha]]);
  const again = await t.gql(mutation, { id: hf.modelId }, { as: Role.ADMIN });
  expect(again.data!.refreshReportedScores).toMatchObject({ checked: 1, unchanged: 1 });

  const dir = await writeModelDir(t);
  const disk = await importModel(t, { name: uniqueName('disk'), source: { sourceType: 'DISK', path: dir } });
  await waitForOperation(t, disk.data!.importModel.id);
  const notHf = await t.gql(mutation, { id: disk.data!.importModel.model.id }, { as: Role.ADMIN });
  expect(notHf.errors?.[0]).toMatchObject({ message: expect.stringContaining('only Hugging Face models'), extensions: { code: 'BAD_USER_INPUT' } });
  expect((await t.gql(mutation, { id: randomUUID() }, { as: Role.ADMIN })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect((await t.gql(mutation, { id: 'nope' }, { as: Role.ADMIN })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
}, 120_000);
