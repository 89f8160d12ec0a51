import { Role } from '../../src/domain/auth/roles';
import { FindingSeverity, ScanStatus } from '../../src/domain/scanning/scan-enums';
import { createVersion, errorCode, registerModel, transition } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

const BENCH = `mutation($input: RecordBenchmarkInput!) {
  recordBenchmark(input: $input) { id hardwareProfile ttftP50Ms ttftP99Ms throughputTokensPerSecond configuration recordedBy model { id } version { version } }
}`;
const EVAL = `mutation($input: RecordEvaluationInput!) { recordEvaluation(input: $input) { id benchmark score numShots version { id } } }`;

async function modelWithVersion(input: Record<string, unknown> = {}) {
  const model = await registerModel(t, input);
  const version = await createVersion(t, model.id, '1.0.0');
  return { model, version };
}

test('benchmarks and evaluations are recorded against a version and listed on the model', async () => {
  const { model, version } = await modelWithVersion();
  const bench = await t.gql(BENCH, {
    input: {
      versionId: version.id,
      hardwareProfile: '1xH100-80GB',
      ttftP50Ms: 41.5,
      ttftP99Ms: 120,
      throughputTokensPerSecond: 2450,
      configuration: { engine: 'vllm', batchSize: 32, inputTokens: 512, outputTokens: 256 },
    },
  });
  expect(bench.errors).toBeUndefined();
  expect(bench.data!.recordBenchmark).toMatchObject({
    hardwareProfile: '1xH100-80GB',
    ttftP50Ms: 41.5,
    configuration: { engine: 'vllm', batchSize: 32 },
    recordedBy: 'editor-user',
    model: { id: model.id },
    version: { version: '1.0.0' },
  });
  const evaluation = await t.gql(EVAL, { input: { versionId: version.id, benchmark: 'MMLU', score: 0.812, numShots: 5 } });
  expect(evaluation.data!.recordEvaluation).toMatchObject({ benchmark: 'mmlu', score: 0.812, numShots: 5, version: { id: version.id } });

  const res = await t.gql(`query($id: ID!) { model(id: $id) { benchmarks { hardwareProfile } evaluations { benchmark score } } }`, { id: model.id }, { as: Role.VIEWER });
  expect(res.data!.model).toEqual({ benchmarks: [{ hardwareProfile: '1xH100-80GB' }], evaluations: [{ benchmark: 'mmlu', score: 0.812 }] });
  const listed = await t.gql(`query($m: ID!) { benchmarks(modelId: $m) { id } }`, { m: model.id }, { as: Role.VIEWER });
  expect(listed.data!.benchmarks).toHaveLength(1);
});

test.each([
  ['no metric', { hardwareProfile: 'L4' }, 'metrics'],
  ['negative latency', { hardwareProfile: 'L4', ttftP50Ms: -1 }, 'ttftP50Ms'],
  ['P99 below P50', { hardwareProfile: 'L4', ttftP50Ms: 50, ttftP99Ms: 10 }, 'ttftP99Ms'],
  ['empty hardware profile', { hardwareProfile: ' ', throughputTokensPerSecond: 1 }, 'hardwareProfile'],
])('a benchmark with %s is refused and not stored', async (_label, input, field) => {
  const { version } = await modelWithVersion();
  const res = await t.gql(BENCH, { input: { versionId: version.id, ...input } });
  expect(errorCode(res)).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions!.field).toBe(field);
  const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM benchmarks WHERE version_id = $1', [version.id]);
  expect(row.n).toBe(0);
});

test('an evaluation with a bad benchmark name or an unknown version is refused', async () => {
  const { version } = await modelWithVersion();
  expect(errorCode(await t.gql(EVAL, { input: { versionId: version.id, benchmark: 'bad name!', score: 1 } }))).toBe('BAD_USER_INPUT');
  const unknown = await t.gql(EVAL, { input: { versionId: '00000000-0000-4000-8000-00000000000a', benchmark: 'mmlu', score: 1 } });
  expect(errorCode(unknown)).toBe('NOT_FOUND');
});

describe('leaderboard', () => {
  const arch = `Arch${uniqueName('lb').replace(/-/g, '')}`;
  const hw = `1xL4-${uniqueName('hw')}`;
  const ids: Record<string, { model: { id: string; name: string }; version: { id: string } }> = {};

  beforeAll(async () => {
    const sizes: Record<string, number> = { small: 1_000_000_000, mid: 8_000_000_000, big: 70_000_000_000, gone: 3_000_000_000 };
    for (const [key, params] of Object.entries(sizes)) {
      ids[key] = await modelWithVersion({ name: uniqueName(key), architecture: arch, parameterCount: params });
    }
    const score = async (key: string, value: number) =>
      t.gql(EVAL, { input: { versionId: ids[key].version.id, benchmark: 'humaneval', score: value } });
    await score('small', 0.3);
    await score('small', 0.35); // the model's best counts
    await score('mid', 0.6);
    await score('big', 0.6);
    await score('gone', 0.99);
    await transition(t, ids.gone.version.id, 'ARCHIVED'); // its only version: the model's summary is ARCHIVED
    const bench = async (key: string, ttft: number, tps: number) =>
      t.gql(BENCH, { input: { versionId: ids[key].version.id, hardwareProfile: hw, ttftP50Ms: ttft, throughputTokensPerSecond: tps } });
    await bench('small', 20, 5000);
    await bench('mid', 45, 1800);
    await bench('big', 180, 400);
    // Stand-ins for our own runs: typed-in rows are RECORDED, which the default board leaves out.
    const models = Object.values(ids).map((x) => x.model.id);
    for (const table of ['evaluations', 'benchmarks']) await t.dataSource.query(`UPDATE ${table} SET provenance = 'MEASURED' WHERE model_id = ANY($1::uuid[])`, [models]);
  });

  const BOARD = `query($metric: String!, $arch: String, $max: BigInt, $hw: String, $first: Int) {
    leaderboard(metric: $metric, architecture: $arch, maxParams: $max, hardwareProfile: $hw, first: $first) {
      metric direction entries { rank value hardwareProfile model { name } version { id } }
    }
  }`;

  const board = async (vars: Record<string, unknown>) => {
    const res = await t.gql(BOARD, { arch, ...vars }, { as: Role.VIEWER });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.leaderboard as { metric: string; direction: string; entries: { rank: number; value: number; model: { name: string } }[] };
  };

  test('evaluation scores rank higher first, ties share a rank, archived models drop off', async () => {
    const lb = await board({ metric: 'HumanEval' });
    expect(lb.metric).toBe('humaneval');
    expect(lb.direction).toBe('HIGHER_IS_BETTER');
    expect(lb.entries.map((e) => [e.rank, e.value, e.model.name])).toEqual([
      [1, 0.6, ids.big.model.name < ids.mid.model.name ? ids.big.model.name : ids.mid.model.name],
      [1, 0.6, ids.big.model.name < ids.mid.model.name ? ids.mid.model.name : ids.big.model.name],
      [3, 0.35, ids.small.model.name],
    ]);
  });

  test('latency ranks lower first; maxParams, hardware and first narrow the board', async () => {
    const ttft = await board({ metric: 'ttft_p50_ms', hw });
    expect(ttft.direction).toBe('LOWER_IS_BETTER');
    expect(ttft.entries.map((e) => e.value)).toEqual([20, 45, 180]);
    const capped = await board({ metric: 'throughput_tokens_per_second', max: '8000000000' });
    expect(capped.entries.map((e) => [e.rank, e.value])).toEqual([[1, 5000], [2, 1800]]);
    const top = await board({ metric: 'throughput_tokens_per_second', first: 1 });
    expect(top.entries).toHaveLength(1);
    const otherHardware = await board({ metric: 'ttft_p50_ms', hw: 'no-such-gpu' });
    expect(otherHardware.entries).toEqual([]);
  });

  test('an invalid metric name is BAD_USER_INPUT', async () => {
    const res = await t.gql(BOARD, { metric: 'DROP TABLE;' }, { as: Role.VIEWER });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

test('scan results recorded by the scanning service show as the latest scan and on the version', async () => {
  const { model, version } = await modelWithVersion();
  const base = { versionId: version.id, filesScanned: 3, bytesScanned: 5_000_000_000n, findings: [] };
  await t.services.scans.record({ ...base, scanner: 'clamav', status: ScanStatus.PASSED, startedAt: new Date('2026-01-01T00:00:00Z'), completedAt: new Date('2026-01-01T00:01:00Z') });
  await t.services.scans.record({
    ...base,
    scanner: 'pickle',
    status: ScanStatus.FAILED,
    findings: [
      { path: 'pytorch_model.bin', scanner: 'pickle', rule: 'pickle-dangerous-import', global: 'os.system', severity: FindingSeverity.CRITICAL, offset: 2, message: 'GLOBAL os system' },
    ],
    startedAt: new Date('2026-01-02T00:00:00Z'),
    completedAt: new Date('2026-01-02T00:00:30Z'),
  });
  const res = await t.gql(
    `query($id: ID!) { model(id: $id) { latestScan { scanner status bytesScanned criticalCount findings { path rule global severity offset } } versions { scans { scanner } } } }`,
    { id: model.id },
    { as: Role.VIEWER },
  );
  expect(res.data!.model).toEqual({
    latestScan: {
      scanner: 'pickle',
      status: 'FAILED',
      bytesScanned: 5000000000,
      criticalCount: 1,
      findings: [{ path: 'pytorch_model.bin', rule: 'pickle-dangerous-import', global: 'os.system', severity: 'CRITICAL', offset: 2 }],
    },
    // A draft is never the default (nothing unusable is served): the scans are read on the version itself.
    versions: [{ scans: [{ scanner: 'pickle' }, { scanner: 'clamav' }] }],
  });
});
