import { randomUUID } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Benchmarks and evaluations of project B, asked for by callers of project A: every answer is the one for an id
 * that does not exist (NOT_FOUND, HTTP 404), and no write lands. Inside B, a viewer is FORBIDDEN to write.
 */
let t: TestApp;
const tag = uniqueName('evx');
const a = `${tag}-a`;
const b = `${tag}-b`;
const tokens: Record<'viewerA' | 'editorA' | 'adminA' | 'viewerB', string> = { viewerA: '', editorA: '', adminA: '', viewerB: '' };
const ids = { model: '', version: '', benchmark: '' };
const unknown = { model: randomUUID(), version: randomUUID(), benchmark: randomUUID() };

beforeAll(async () => {
  t = await startTestApp();
  const token = (subject: string, project: string, role: Role) => issueToken(t.config.auth, `${subject}-${tag}`, [], 3600, new Map([[project, [role]]]));
  tokens.viewerA = await token('viewer-a', a, Role.VIEWER);
  tokens.editorA = await token('editor-a', a, Role.EDITOR);
  tokens.adminA = await token('admin-a', a, Role.ADMIN);
  tokens.viewerB = await token('viewer-b', b, Role.VIEWER);
  const model = await registerModel(t, { project: b, tags: [tag] });
  const version = await createVersion(t, model.id, '1.0.0');
  ids.model = model.id;
  ids.version = version.id;
  const scored = await t.gql(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: 0.5 }) { id } }`, { v: version.id });
  expect(scored.errors).toBeUndefined();
  // A measured run with samples, as the benchmark workflow stores it.
  const [row] = await t.dataSource.query(
    `INSERT INTO benchmarks (model_id, version_id, hardware_profile, ttft_p50_ms, recorded_by, samples, provenance) VALUES ($1, $2, '1xcpu', 10, 'benchmark-runner', $3, 'MEASURED') RETURNING id`,
    [model.id, version.id, Buffer.from('gzip bytes')],
  );
  ids.benchmark = row.id;
});
afterAll(async () => {
  await t?.stop();
});

/** The answer with B's ids (or the unknown ones) replaced by placeholders, so the two can be compared. */
function shape(value: unknown, which: typeof ids): string {
  let text = JSON.stringify(value);
  for (const [key, id] of Object.entries(which)) text = text.split(id).join(`<${key}>`);
  return text;
}

async function sameAsUnknown(query: string, vars: (x: typeof ids) => Record<string, unknown>, token: string) {
  const theirs = await t.gql(query, vars(ids), { token });
  const none = await t.gql(query, vars(unknown), { token });
  expect(errorCode(theirs)).toBe('NOT_FOUND');
  expect(shape(theirs.errors, ids)).toBe(shape(none.errors, unknown));
  expect(JSON.stringify(theirs)).not.toContain(b);
}

test('histories of another project are NOT_FOUND, exactly like an unknown model', async () => {
  await sameAsUnknown(`query($m: ID!) { benchmarkHistory(modelId: $m) { edges { node { id } } hardwareProfiles } }`, (x) => ({ m: x.model }), tokens.viewerA);
  await sameAsUnknown(`query($m: ID!) { evaluationHistory(modelId: $m) { edges { node { id } } evaluations } }`, (x) => ({ m: x.model }), tokens.viewerA);
  // Its own viewers read them.
  const own = await t.gql(`query($m: ID!) { evaluationHistory(modelId: $m) { edges { node { provenance } } } }`, { m: ids.model }, { token: tokens.viewerB });
  expect(own.data!.evaluationHistory.edges).toEqual([{ node: { provenance: 'RECORDED' } }]);
});

test('lists and boards leave another project out', async () => {
  const listed = await t.gql(`query($m: ID) { benchmarks(modelId: $m) { id } }`, { m: ids.model }, { token: tokens.viewerA });
  expect(listed.data!.benchmarks).toEqual([]);
  const board = await t.gql(`{ leaderboard(metric: "ttft_p50_ms", first: 100) { entries { model { id } } } }`, {}, { token: tokens.viewerA });
  expect(JSON.stringify(board.data)).not.toContain(ids.model);
  const recorded = await t.gql(`{ leaderboard(metric: "mmlu", provenance: RECORDED, first: 100) { entries { model { id } } } }`, {}, { token: tokens.viewerA });
  expect(JSON.stringify(recorded.data)).not.toContain(ids.model);
  const front = await t.gql(`{ paretoFront(qualityMetric: "mmlu", performanceMetric: "ttft_p50_ms", provenance: RECORDED) { points { model { id } } } }`, {}, { token: tokens.viewerA });
  expect(JSON.stringify(front.data)).not.toContain(ids.model);
  expect((await t.gql(`query($m: ID) { benchmarks(modelId: $m) { id } }`, { m: ids.model }, { token: tokens.viewerB })).data!.benchmarks).toEqual([{ id: ids.benchmark }]);
});

test("another project's samples are 404, byte for byte the answer for an unknown run", async () => {
  const get = async (id: string, token: string) => {
    const res = await fetch(`http://127.0.0.1:${t.app.port}/benchmarks/${id}/samples`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.text()).split(id).join('<id>') };
  };
  const theirs = await get(ids.benchmark, tokens.viewerA);
  expect(theirs.status).toBe(404);
  expect(theirs).toEqual(await get(unknown.benchmark, tokens.viewerA));
  expect(theirs.body).not.toContain(b);
  expect((await get(ids.benchmark, tokens.viewerB)).status).toBe(200);
});

test('writes into another project are NOT_FOUND like an unknown version and store nothing; a viewer there is FORBIDDEN', async () => {
  const target = { url: 'http://127.0.0.1:9', model: 'm' };
  await sameAsUnknown(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: 0.9 }) { id } }`, (x) => ({ v: x.version }), tokens.editorA);
  await sameAsUnknown(`mutation($v: ID!) { recordBenchmark(input: { versionId: $v, hardwareProfile: "L4", ttftP50Ms: 1 }) { id } }`, (x) => ({ v: x.version }), tokens.editorA);
  await sameAsUnknown(
    `mutation($i: RunBenchmarkInput!) { runBenchmark(input: $i) { id } }`,
    (x) => ({ i: { versionId: x.version, target, profile: { gpuType: 'cpu', gpuCount: 0, engine: 'vllm' }, scenario: { api: 'chat', concurrencies: [1], requestsPerLevel: 1, outputTokens: 8 } } }),
    tokens.editorA,
  );
  await sameAsUnknown(
    `mutation($i: RunEvaluationInput!) { runEvaluation(input: $i) { id } }`,
    (x) => ({ i: { versionId: x.version, target, suite: { name: 's', tasks: [{ name: 'x', kind: 'EXACT_MATCH', dataset: 'x.jsonl' }] } } }),
    tokens.editorA,
  );
  await sameAsUnknown(`mutation($m: ID!) { refreshReportedScores(modelId: $m) { checked } }`, (x) => ({ m: x.model }), tokens.adminA);
  // B's viewer may read the version, so a missing role is said plainly.
  const viewer = await t.gql(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: 0.9 }) { id } }`, { v: ids.version }, { token: tokens.viewerB });
  expect(errorCode(viewer)).toBe('FORBIDDEN');
  const [counts] = await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM evaluations WHERE version_id = $1) AS evaluations, (SELECT count(*)::int FROM benchmarks WHERE version_id = $1) AS benchmarks,
            (SELECT count(*)::int FROM operations WHERE version_id = $1) AS operations`,
    [ids.version],
  );
  expect(counts).toEqual({ evaluations: 1, benchmarks: 1, operations: 0 });
});
