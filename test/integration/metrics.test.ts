import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { listenForMetrics } from '../../src/observability/metrics-endpoint';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { subscribe } from '../support/subscriptions';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t?.stop();
});

async function scrape(url = `http://127.0.0.1:${t.app.port}/metrics`, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample line, e.g. `modelhub_bytes_imported_total{source="DISK"}`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function eventually(check: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await scrape();
    if (check(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('/metrics counts GraphQL operations and codes, subscriptions, imports, scans, workflows, activities, bytes and queue depth', async () => {
  const before = await scrape();
  const missing = await t.gql(`query($id: ID!) { model(id: $id) { id } }`, { id: '00000000-0000-4000-8000-000000000000' }, { as: Role.VIEWER });
  expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  const dir = await writeModelDir(t);
  const started = await importModel(t, { name: uniqueName('metrics'), source: { sourceType: 'DISK', path: dir } });
  const opId = started.data!.importModel.id;
  const sub = await subscribe(t, `subscription($id: ID!) { operationProgress(id: $id) { id status } }`, { id: opId });
  expect((await waitForOperation(t, opId, 120_000)).status).toBe('SUCCEEDED');
  await sub.done;

  const text = await eventually((s) => sample(s, 'modelhub_workflow_duration_seconds_count', { workflow_type: 'importWorkflow', outcome: 'completed' }) > 0);
  const delta = (name: string, labels: Record<string, string> = {}) => sample(text, name, labels) - sample(before, name, labels);
  expect(delta('modelhub_graphql_request_duration_seconds_count', { operation: 'query model', code: 'NOT_FOUND' })).toBe(1);
  expect(delta('modelhub_graphql_errors_total', { operation: 'query model', code: 'NOT_FOUND' })).toBe(1);
  expect(delta('modelhub_graphql_request_duration_seconds_count', { operation: 'mutation importModel', code: 'OK' })).toBe(1);
  expect(delta('modelhub_workflow_duration_seconds_count', { workflow_type: 'importWorkflow', outcome: 'completed' })).toBe(1);
  expect(delta('modelhub_activity_duration_seconds_count', { outcome: 'completed' })).toBeGreaterThanOrEqual(3);
  const stored = await t.dataSource.query(`SELECT coalesce(sum(size), 0)::bigint AS n FROM version_files WHERE version_id = $1`, [started.data!.importModel.version.id]);
  expect(delta('modelhub_bytes_imported_total', { source: 'DISK' })).toBe(Number(stored[0].n));
  expect(delta('modelhub_scan_verdicts_total', { scanner: 'clamav', verdict: 'CLEAN' }) + delta('modelhub_scan_cached_files_total')).toBeGreaterThanOrEqual(3);
  expect(delta('modelhub_scan_verdicts_total', { scanner: 'format' }) + delta('modelhub_scan_cached_files_total')).toBeGreaterThanOrEqual(3);
  // The subscription was counted while open and is gone once completed.
  expect(sample(text, 'modelhub_graphql_active_subscriptions', { subscription: 'operationProgress' })).toBe(0);
  expect(text).toMatch(/^modelhub_operations_open|# TYPE modelhub_operations_open gauge/m);

  // Bytes served: one whole download.
  const versionId = started.data!.importModel.version.id;
  const download = await fetch(`http://127.0.0.1:${t.app.port}/files/versions/${versionId}/download/config.json`, { headers: { authorization: `Bearer ${await t.token(Role.VIEWER)}` } });
  const body = Buffer.from(await download.arrayBuffer());
  expect(download.status).toBe(200);
  const after = await scrape();
  expect(sample(after, 'modelhub_bytes_served_total', { api: 'files' }) - sample(text, 'modelhub_bytes_served_total', { api: 'files' })).toBe(body.length);
}, 180_000);

test('an open subscription is counted in the gauge', async () => {
  const dir = await writeModelDir(t);
  const started = await importModel(t, { name: uniqueName('gauge'), source: { sourceType: 'DISK', path: dir } });
  const opId = started.data!.importModel.id;
  await waitForOperation(t, opId, 120_000);
  const sub = await subscribe(t, `subscription($m: ID!) { modelEvents(modelId: $m) { type } }`, { m: started.data!.importModel.model.id });
  const open = await eventually((s) => sample(s, 'modelhub_graphql_active_subscriptions', { subscription: 'modelEvents' }) >= 1);
  expect(sample(open, 'modelhub_graphql_active_subscriptions', { subscription: 'modelEvents' })).toBe(1);
  sub.close();
  const closed = await eventually((s) => sample(s, 'modelhub_graphql_active_subscriptions', { subscription: 'modelEvents' }) === 0);
  expect(sample(closed, 'modelhub_graphql_active_subscriptions', { subscription: 'modelEvents' })).toBe(0);
}, 180_000);

test('with METRICS_TOKEN, /metrics needs it as a bearer token (API and the worker listener alike)', async () => {
  const token = 'metrics-token-0123456789';
  const guarded = await startTestApp({ env: { METRICS_TOKEN: token } });
  const worker = await listenForMetrics('127.0.0.1', 0, token);
  try {
    for (const url of [`http://127.0.0.1:${guarded.app.port}/metrics`, worker.url]) {
      const refused = await fetch(url);
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toMatch(/modelhub_/);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      expect(await scrape(url, { authorization: `Bearer ${token}` })).toMatch(/# TYPE modelhub_graphql_request_duration_seconds histogram/);
    }
  } finally {
    await worker.close();
    await guarded.stop();
  }
});

test('the Grafana dashboard references only metrics /metrics exports', async () => {
  const dashboard = JSON.parse(await readFile(path.join(__dirname, '../../docker/grafana/modelhub-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  const exported = new Set<string>();
  for (const m of (await scrape()).matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    exported.add(m[1]);
    if (m[2] === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) exported.add(`${m[1]}${suffix}`);
  }
  const referenced = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((target) => [...target.expr.matchAll(/\bmodelhub_\w+/g)].map((m) => m[0]))));
  expect(referenced.size).toBeGreaterThanOrEqual(10);
  expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
});
