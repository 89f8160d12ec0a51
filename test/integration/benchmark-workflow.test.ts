import { setTimeout as sleep } from 'node:timers/promises';
import { decodeSamples } from '../../src/benchmarking/sample-codec';
import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { importVerified, OPERATION_FIELDS, waitForOperation } from '../support/onboarding-fixtures';
import { type ScriptedOpenAiServer, startScriptedOpenAiServer } from '../support/scripted-openai-server';
import { serverTruth } from '../support/server-truth';
import { subscribe } from '../support/subscriptions';
import { startTestApp, type TestApp } from '../support/test-app';
import { Client, Connection } from '@temporalio/client';
import { Role } from '../../src/domain/auth/roles';
import { DEFAULT_PROJECT } from '../../src/domain/governance/project';
import { issueToken } from '../../src/services/auth-tokens';
import { systemCaller } from '../../src/domain/auth/caller';

const TEST_SYSTEM = systemCaller('test: reading stored samples');

const API_KEY = 'sk-bench-secret-4f1c9a';
const RUN = `mutation($input: RunBenchmarkInput!) { runBenchmark(input: $input) { ${OPERATION_FIELDS} } }`;
const CANCEL = `mutation($id: ID!) { cancelOperation(id: $id) { id status } }`;
const PROGRESS = `subscription($id: ID!) { operationProgress(id: $id) { id status progress currentStep message } }`;
const profile = { gpuType: 'cpu', gpuCount: 0, engine: 'scripted', engineVersion: '1', quantization: 'fp16' };

describe('runBenchmark through GraphQL and Temporal', () => {
  let t: TestApp;
  let server: ScriptedOpenAiServer;
  let versionId: string;

  beforeAll(async () => {
    t = await startTestApp({ worker: true, env: { SECRETS_KEY: 'benchmark-test-secrets-key-0123456789abcdef' } });
    server = await startScriptedOpenAiServer({ firstTokenDelayMs: 60, interTokenDelayMs: 15, outputTokens: 8, apiKey: API_KEY });
    ({ versionId } = await importVerified(t));
  });
  afterAll(async () => {
    await server?.close();
    await t?.stop();
  });

  const input = (scenario: Record<string, unknown>, target: Record<string, unknown> = {}) => ({
    versionId,
    target: { url: server.url, model: 'tiny', apiKey: API_KEY, ...target },
    profile,
    scenario: { api: 'chat', outputTokens: 64, inputTokens: 16, warmupRequests: 2, ...scenario },
  });

  it('sweeps concurrency levels with live progress and stores measured results, the key only sealed', async () => {
    server.script = { ...server.script, interTokenDelayMs: 15 };
    const res = await t.gql(RUN, { input: input({ concurrencies: [1, 3], requestsPerLevel: 30, slo: { ttftMs: 500 } }) });
    expect(res.errors).toBeUndefined();
    const op = res.data!.runBenchmark;
    expect(op).toMatchObject({ kind: 'BENCHMARK', status: 'PENDING' });
    const live = await subscribe(t, PROGRESS, { id: op.id });
    const events = await live.done;
    const statuses = events.map((e) => e.data?.operationProgress);
    expect(statuses.some((s) => s?.status === 'RUNNING' && /level [12]\/2/.test(s.currentStep ?? ''))).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 1 });

    const list = await t.gql(`query($v: ID!) { benchmarks(versionId: $v) { id provenance operationId hardwareProfile ttftP50Ms throughputTokensPerSecond profile scenario levels } }`, { v: versionId });
    const [bench] = list.data!.benchmarks;
    expect(bench).toMatchObject({ provenance: 'MEASURED', operationId: op.id, hardwareProfile: '0xcpu scripted fp16' });
    expect(bench.levels.map((l: { concurrency: number; requests: number; errors: number }) => [l.concurrency, l.requests, l.errors])).toEqual([[1, 30, 0], [3, 30, 0]]);
    for (const level of bench.levels) {
      expect(level.ttftMs.p50).toBeGreaterThanOrEqual(59);
      expect(level.ttftMs.p50).toBeLessThan(90);
      // The gaps are checked against the server's own writes below (its timers may fire late on a loaded machine).
      expect(level.itlMs.p50).toBeGreaterThan(7);
      expect(level.itlMs.p50).toBeLessThan(30);
      expect(level.sloAttainment).toBe(1);
    }
    expect(bench.throughputTokensPerSecond).toBeCloseTo(bench.levels[1].outputTokensPerSecond, 6);
    const samples = decodeSamples((await t.services.benchmarkRuns.samples(TEST_SYSTEM, bench.id))!);
    expect(samples.map((l) => l.samples.length)).toEqual([30, 30]);
    for (const [i, level] of samples.entries()) {
      const truth = serverTruth(server, level.samples);
      expect(Math.abs(bench.levels[i].itlMs.p50 - truth.itlP50)).toBeLessThan(4);
      expect(Math.abs(bench.levels[i].tpotMs.p50 - truth.tpotP50)).toBeLessThan(4);
    }
    // The raw samples download for re-analysis: where GraphQL says, the stored gzip, for readers of the model only.
    const path = (await t.gql(`query($v: ID!) { benchmarks(versionId: $v, first: 1) { samplesPath } }`, { v: versionId })).data!.benchmarks[0].samplesPath;
    expect(path).toBe(`/benchmarks/${bench.id}/samples`);
    // The operation leads to what it stored.
    const byOp = await t.gql(`query($id: ID!) { operation(id: $id) { benchmark { id provenance } evaluations { id } } }`, { id: op.id });
    expect(byOp.data!.operation).toEqual({ benchmark: { id: bench.id, provenance: 'MEASURED' }, evaluations: [] });
    const get = (p: string, token?: string) => fetch(`http://127.0.0.1:${t.app.port}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const download = await get(path, await t.token(Role.VIEWER));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(decodeSamples(Buffer.from(await download.arrayBuffer())).map((l) => [l.concurrency, l.samples.length])).toEqual([[1, 30], [3, 30]]);
    const stranger = await issueToken(t.config.auth, 'stranger', [], 3600, new Map([['other-project', [Role.EDITOR]]]));
    const hidden = await get(path, stranger);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain(versionId);
    expect((await get(path)).status).toBe(401);
    expect((await get('/benchmarks/00000000-0000-4000-8000-000000000000/samples', await t.token(Role.VIEWER))).status).toBe(404);
    expect((await get('/benchmarks/not-an-id/samples', await t.token(Role.VIEWER))).status).toBe(400);
    // The API key: sealed in the operation's input, nowhere in plain text, not in any GraphQL answer.
    const leaks = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM operations WHERE input::text LIKE $1)::int AS ops, (SELECT count(*) FROM benchmarks WHERE configuration::text LIKE $1 OR scenario::text LIKE $1)::int AS rows`,
      [`%${API_KEY}%`],
    );
    expect(leaks).toEqual([{ ops: 0, rows: 0 }]);
    const [{ input: stored }] = await t.dataSource.query(`SELECT input FROM operations WHERE id = $1`, [op.id]);
    expect(stored.target.sealedApiKey).toMatch(/^sealed:v1:/);
    expect(JSON.stringify(list)).not.toContain(API_KEY);
  });

  it('runs a level of 64 streams in the worker over load threads, with the API key and every request measured', async () => {
    server.script = { ...server.script, interTokenDelayMs: 15 };
    const before = server.requests;
    const res = await t.gql(RUN, { input: input({ concurrencies: [64], requestsPerLevel: 128, warmupRequests: 64 }) });
    expect(res.errors).toBeUndefined();
    expect(await waitForOperation(t, res.data!.runBenchmark.id)).toMatchObject({ status: 'SUCCEEDED' });
    const list = await t.gql(`query($v: ID!) { benchmarks(versionId: $v, first: 1) { id levels } }`, { v: versionId });
    const [bench] = list.data!.benchmarks;
    expect(bench.levels.map((l: { concurrency: number; requests: number; errors: number }) => [l.concurrency, l.requests, l.errors])).toEqual([[64, 128, 0]]);
    expect(bench.levels[0].ttftMs.p50).toBeGreaterThanOrEqual(59);
    expect(server.requests - before).toBe(64 + 128);
    const [level] = decodeSamples((await t.services.benchmarkRuns.samples(TEST_SYSTEM, bench.id))!);
    expect(new Set(level.samples.map((s) => s.requestId)).size).toBe(128);
  });

  it('cancelling stops the load at once and records nothing', async () => {
    server.script = { ...server.script, interTokenDelayMs: 300, outputTokens: 200 };
    // Straight after the previous run: its workflow may still be closing, and the request waits for that.
    const res = await t.gql(RUN, { input: input({ concurrencies: [8], requestsPerLevel: 100_000, warmupRequests: 0 }) });
    expect(res.errors).toBeUndefined();
    const op = res.data!.runBenchmark;
    for (let i = 0; i < 300 && server.open < 8; i += 1) await sleep(50);
    expect(server.open).toBe(8);
    // One live run per version: two more requests at once (another scenario even) join the running operation.
    const twins = await Promise.all([1, 2].map(() => t.gql(RUN, { input: input({ concurrencies: [2], requestsPerLevel: 5 }) })));
    expect(twins.map((r) => r.data?.runBenchmark.id)).toEqual([op.id, op.id]);
    // Someone outside the model's project, or a viewer inside it, cannot stop it (and cannot read its operation).
    const outsider = await issueToken(t.config.auth, 'outsider', [], 3600, new Map([['other-project', [Role.EDITOR]]]));
    const viewer = await issueToken(t.config.auth, 'viewer', [], 3600, new Map([[DEFAULT_PROJECT, [Role.VIEWER]]]));
    expect(errorCode(await t.gql(CANCEL, { id: op.id }, { token: outsider }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(CANCEL, { id: op.id }, { token: viewer }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 1 }) }, { token: viewer }))).toBe('FORBIDDEN');
    expect(server.open).toBe(8);
    const asked = Date.now();
    // Cancelling twice at once: both are accepted (the second finds the run still live or already cancelled).
    const cancels = await Promise.all([t.gql(CANCEL, { id: op.id }), t.gql(CANCEL, { id: op.id })]);
    expect(cancels.map((c) => c.errors?.[0].extensions?.code ?? 'ok').sort()).toEqual(expect.arrayContaining(['ok']));
    for (const c of cancels) if (c.errors) expect(errorCode(c)).toBe('CONFLICT');
    while (server.open > 0 && Date.now() - asked < 10_000) await sleep(20);
    const stoppedMs = Date.now() - asked;
    console.log(`load stopped ${stoppedMs} ms after cancelOperation`);
    expect(server.open).toBe(0);
    // The cancel reaches the activity with its next heartbeat (sent every 250 ms, throttled to at most 500 ms).
    expect(stoppedMs).toBeLessThan(2000);
    const done = await waitForOperation(t, op.id);
    expect(done).toMatchObject({ status: 'CANCELLED', errorCode: 'CANCELLED' });
    // A settled run cannot be cancelled again, and stays as it was.
    expect(errorCode(await t.gql(CANCEL, { id: op.id }))).toBe('CONFLICT');
    expect(await waitForOperation(t, op.id)).toMatchObject({ status: 'CANCELLED' });
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM operations WHERE workflow_id = $1 AND status IN ('PENDING', 'RUNNING')`, [op.workflowId]))[0].n).toBe(0);
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM benchmarks WHERE operation_id = $1`, [op.id]);
    expect(rows[0].n).toBe(0);
    const requests = server.requests;
    await sleep(300);
    expect(server.requests).toBe(requests);
  });

  it('cancelling a run whose workflow is already gone (terminated in Temporal UI) settles it at once', async () => {
    server.script = { ...server.script, interTokenDelayMs: 300, outputTokens: 200 };
    const res = await t.gql(RUN, { input: input({ concurrencies: [2], requestsPerLevel: 100_000, warmupRequests: 0 }) });
    expect(res.errors).toBeUndefined();
    const op = res.data!.runBenchmark;
    for (let i = 0; i < 300 && server.open < 2; i += 1) await sleep(50);
    const connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    try {
      await new Client({ connection }).workflow.getHandle(op.workflowId).terminate('terminated from Temporal UI');
    } finally {
      await connection.close();
    }
    const cancelled = await t.gql(CANCEL, { id: op.id });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelOperation).toMatchObject({ status: 'CANCELLED' });
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM benchmarks WHERE operation_id = $1`, [op.id]))[0].n).toBe(0);
    // The orphaned activity stops at its next heartbeat (its workflow is gone), so the load ends too.
    for (let i = 0; i < 200 && server.open > 0; i += 1) await sleep(50);
    expect(server.open).toBe(0);
  });

  it('fails the run with the endpoint’s answer when every request fails (a wrong key)', async () => {
    server.script = { ...server.script, interTokenDelayMs: 5, outputTokens: 4 };
    const res = await t.gql(RUN, { input: input({ concurrencies: [2], requestsPerLevel: 4, warmupRequests: 0 }, { apiKey: 'sk-wrong' }) });
    const done = await waitForOperation(t, res.data!.runBenchmark.id);
    expect(done.status).toBe('FAILED');
    expect(done.errorMessage).toMatch(/every request to the endpoint failed: HTTP 401/);
  });

  it('never stores or shows the API key when the endpoint echoes it back in its errors', async () => {
    let calls = 0;
    // Every other request fails with a body quoting the Authorization header, as some proxies do.
    const echo = (_: string, request: { authorization: string | null }) => {
      calls += 1;
      if (calls % 2) throw new Error(`invalid key: ${request.authorization}`);
      return 'fine then';
    };
    server.script = { ...server.script, interTokenDelayMs: 1, outputTokens: 2, answer: echo };
    try {
      const some = await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 6, warmupRequests: 0 }) });
      const done = await waitForOperation(t, some.data!.runBenchmark.id);
      expect(done.status).toBe('SUCCEEDED');
      const [row] = await t.dataSource.query(`SELECT id FROM benchmarks WHERE operation_id = $1`, [done.id]);
      const samples = decodeSamples((await t.services.benchmarkRuns.samples(TEST_SYSTEM, row.id))!)[0].samples;
      expect(samples.filter((s) => s.error).map((s) => s.error)).toEqual(Array(3).fill('HTTP 500: {"error":"invalid key: Bearer [api key]"}'));
      server.script = { ...server.script, answer: (_p, r) => { throw new Error(`invalid key: ${r.authorization}`); } };
      const all = await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 2, warmupRequests: 0 }) });
      const failed = await waitForOperation(t, all.data!.runBenchmark.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.errorMessage).toContain('Bearer [api key]');
      expect(JSON.stringify(failed)).not.toContain(API_KEY);
      const leaks = await t.dataSource.query(`SELECT count(*)::int AS n FROM operations WHERE error_message LIKE $1 OR message LIKE $1`, [`%${API_KEY}%`]);
      expect(leaks[0].n).toBe(0);
    } finally {
      server.script = { ...server.script, answer: undefined };
    }
  });

  it('refuses bad input and unsettled versions with clear codes, writing nothing', async () => {
    // Counted on this file's model only: other test files start benchmarks in the shared database meanwhile.
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM operations o JOIN model_versions v ON v.id = o.version_id WHERE o.kind = 'BENCHMARK' AND v.model_id IN (SELECT model_id FROM model_versions WHERE id = $1)`, [versionId]);
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 1 }, { url: 'ftp://x' }) }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1] }) }))).toBe('BAD_USER_INPUT'); // no stop rule
    // The worker would call the target for the caller: metadata and private addresses are refused (URL_IMPORT_ALLOW).
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 1 }, { url: 'http://169.254.169.254/' }) }))).toBe('BAD_USER_INPUT');
    const internal = await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 1 }, { url: 'http://10.1.2.3:8000/' }) });
    expect(errorCode(internal)).toBe('BAD_USER_INPUT');
    // The refusal names the input field and the setting that would allow the host.
    expect(internal.errors![0].extensions!.field).toBe('target.url');
    expect(internal.errors![0].message).toContain('URL_IMPORT_ALLOW=10.1.2.3');
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1], requestRates: [2], requestsPerLevel: 1 }) }))).toBe('BAD_USER_INPUT');
    const model = await registerModel(t);
    const draft = await createVersion(t, model.id, '1.0.0');
    expect(errorCode(await t.gql(RUN, { input: { ...input({ concurrencies: [1], requestsPerLevel: 1 }), versionId: draft.id } }))).toBe('CONFLICT');
    expect(await t.dataSource.query(`SELECT id FROM operations WHERE version_id = $1`, [draft.id])).toEqual([]);
    // Project-scoped: an editor of another project is refused before anything runs (NOT_FOUND: the version is not
    // theirs to know of), even with a target no one may use; one of this project gets through.
    const outsider = await issueToken(t.config.auth, 'outsider', [], 3600, new Map([['other-project', [Role.EDITOR]]]));
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 1 }) }, { token: outsider }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(RUN, { input: { ...input({ concurrencies: [1], requestsPerLevel: 1 }), target: { url: 'http://10.1.2.3:8000', model: 'm' } } }, { token: outsider }))).toBe('NOT_FOUND');
    const member = await issueToken(t.config.auth, 'member', [], 3600, new Map([[DEFAULT_PROJECT, [Role.EDITOR]]]));
    expect(errorCode(await t.gql(RUN, { input: input({ concurrencies: [1] }) }, { token: member }))).toBe('BAD_USER_INPUT');
    const after = await t.dataSource.query(`SELECT count(*)::int AS n FROM operations o JOIN model_versions v ON v.id = o.version_id WHERE o.kind = 'BENCHMARK' AND v.model_id IN (SELECT model_id FROM model_versions WHERE id = $1)`, [versionId]);
    expect(after[0].n).toBe(before[0].n);
  });

  it('refuses scenarios whose run would be unbounded (samples kept, time, bodies in flight), naming the limit', async () => {
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM operations o JOIN model_versions v ON v.id = o.version_id WHERE o.kind = 'BENCHMARK' AND v.model_id IN (SELECT model_id FROM model_versions WHERE id = $1)`, [versionId]);
    const bombs: [Record<string, unknown>, RegExp][] = [
      [{ concurrencies: [4097], requestsPerLevel: 1 }, /between 1 and 4096/],
      [{ concurrencies: Array.from({ length: 17 }, (_, i) => i + 1), requestsPerLevel: 1 }, /at most 16 levels/],
      [{ concurrencies: [1, 2, 3], requestsPerLevel: 100_000 }, /levels × requestsPerLevel must be at most 200000/],
      [{ concurrencies: [1], requestsPerLevel: 100_000, outputTokens: 1000 }, /must be at most 10000000/],
      [{ concurrencies: [1], requestsPerLevel: 1, outputTokens: 1_000_000 }, /between 1 and 32768/],
      [{ concurrencies: [1], requestsPerLevel: 1, inputTokens: 1_000_000 }, /between 1 and 131072/],
      [{ concurrencies: [4096], requestsPerLevel: 10, inputTokens: 131_072 }, /256 MiB of request bodies in flight/],
      [{ concurrencies: [1, 2], durationSeconds: 86_400 }, /levels × durationSeconds must be at most 72000/],
      [{ requestRates: [1e-300], requestsPerLevel: 1 }, /between 0.01 and 10000/],
      [{ requestRates: [0.01, 0.02], requestsPerLevel: 1000 }, /take \d+ s; at most 72000/],
      [{ concurrencies: [1], requestsPerLevel: 1, warmupRequests: 1_000_000 }, /between 0 and 10000/],
      [{ concurrencies: [1], requestsPerLevel: 1, slo: { ttftMs: -1 } }, /slo.ttftMs/],
      [{ concurrencies: [1], requestsPerLevel: 1, prompts: Array.from({ length: 1001 }, () => 'x') }, /at most 1000/],
      [{ concurrencies: [1], requestsPerLevel: 1, prompts: ['x'.repeat(40_000)] }, /at most 32768 characters/],
      [{ concurrencies: [1], requestsPerLevel: 1, prompts: Array.from({ length: 30 }, () => 'y'.repeat(30_000)) }, /at most 262144 characters in all/],
    ];
    for (const [scenario, message] of bombs) {
      const res = await t.gql(RUN, { input: input(scenario) });
      expect([JSON.stringify(scenario).slice(0, 80), errorCode(res)]).toEqual([JSON.stringify(scenario).slice(0, 80), 'BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(message);
    }
    // Long model names and URLs, credentials in the URL: refused, and the key is never echoed.
    for (const target of [{ model: 'm'.repeat(301) }, { url: `http://example.com/${'a'.repeat(3000)}` }, { url: 'http://user:pw@example.com/' }, { url: 'javascript:alert(1)' }, { url: 'file:///etc/passwd' }, { url: `${server.url}/?api-key=${API_KEY}` }, { url: `${server.url}/#x` }, { url: 'http://0.0.0.0:8000/' }, { url: 'http://[fd00::1]:8000/' }, { url: 'http://[::ffff:169.254.169.254]/' }, { apiKey: `${API_KEY}\r\nX-Smuggled: 1` }, { apiKey: `${API_KEY}\r\n\r\nGET /admin HTTP/1.1` }, { apiKey: 'two words' }]) {
      const res = await t.gql(RUN, { input: input({ concurrencies: [1], requestsPerLevel: 1 }, target) });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res)).not.toContain(API_KEY);
    }
    const after = await t.dataSource.query(`SELECT count(*)::int AS n FROM operations o JOIN model_versions v ON v.id = o.version_id WHERE o.kind = 'BENCHMARK' AND v.model_id IN (SELECT model_id FROM model_versions WHERE id = $1)`, [versionId]);
    expect(after[0].n).toBe(before[0].n);
  });
});
