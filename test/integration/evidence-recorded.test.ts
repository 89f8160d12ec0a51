import { randomBytes } from 'node:crypto';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * Evidence that cannot be typed in: recordEvaluation / recordBenchmark store RECORDED rows (who recorded them,
 * audited), range-checked by metric; the default leaderboard ranks what was measured (or reported upstream), not
 * what was typed in.
 */
let t: TestApp;
const tag = uniqueName('evidence');
const project = `${tag}-b`;
let carol: string; // editor in the project
let carolSubject: string;
let version: { id: string; modelId: string };

const EVAL = `mutation($input: RecordEvaluationInput!) { recordEvaluation(input: $input) { id benchmark metric score provenance recordedBy } }`;
const BENCH = `mutation($input: RecordBenchmarkInput!) { recordBenchmark(input: $input) { id provenance recordedBy operationId } }`;

beforeAll(async () => {
  t = await startTestApp();
  carolSubject = `carol-${tag}`;
  carol = await issueToken(t.config.auth, carolSubject, [], 3600, new Map([[project, [Role.EDITOR]]]));
  const model = await registerModel(t, { project, tags: [tag] });
  version = { id: (await createVersion(t, model.id, '1.0.0')).id, modelId: model.id };
});
afterAll(async () => {
  await t?.stop();
});

async function rowsOf(table: 'evaluations' | 'benchmarks', versionId: string) {
  return t.dataSource.query(`SELECT id, provenance, recorded_by, operation_id FROM ${table} WHERE version_id = $1 ORDER BY recorded_at`, [versionId]);
}

async function auditOf(action: string, subjectId: string) {
  return t.dataSource.query(`SELECT actor, project, model_id, version_id, details FROM audit_log WHERE action = $1 AND subject_id = $2`, [action, subjectId]);
}

test('a hand-recorded evaluation is RECORDED with who recorded it, and audited', async () => {
  const res = await t.gql(EVAL, { input: { versionId: version.id, benchmark: 'MMLU', metric: 'acc', score: 0.81 } }, { token: carol });
  expect(res.errors).toBeUndefined();
  const recorded = res.data!.recordEvaluation;
  expect(recorded).toMatchObject({ benchmark: 'mmlu', metric: 'acc', score: 0.81, provenance: 'RECORDED', recordedBy: carolSubject });
  const [row] = (await rowsOf('evaluations', version.id)).filter((r: { id: string }) => r.id === recorded.id);
  expect(row).toMatchObject({ provenance: 'RECORDED', recorded_by: carolSubject, operation_id: null });
  expect(await auditOf('evaluation.recorded', recorded.id)).toEqual([
    { actor: carolSubject, project, model_id: version.modelId, version_id: version.id, details: expect.objectContaining({ benchmark: 'mmlu', metric: 'acc', score: 0.81, provenance: 'RECORDED' }) },
  ]);
});

test('a hand-recorded benchmark is RECORDED with who recorded it, and audited', async () => {
  const res = await t.gql(BENCH, { input: { versionId: version.id, hardwareProfile: '1xL4', ttftP50Ms: 40, throughputTokensPerSecond: 900 } }, { token: carol });
  expect(res.errors).toBeUndefined();
  const recorded = res.data!.recordBenchmark;
  expect(recorded).toMatchObject({ provenance: 'RECORDED', recordedBy: carolSubject, operationId: null });
  const [row] = (await rowsOf('benchmarks', version.id)).filter((r: { id: string }) => r.id === recorded.id);
  expect(row).toMatchObject({ provenance: 'RECORDED', recorded_by: carolSubject });
  expect(await auditOf('benchmark.recorded', recorded.id)).toEqual([
    { actor: carolSubject, project, model_id: version.modelId, version_id: version.id, details: expect.objectContaining({ hardwareProfile: '1xL4', ttftP50Ms: 40, throughputTokensPerSecond: 900, provenance: 'RECORDED' }) },
  ]);
});

describe('scores outside their metric range', () => {
  let target: string;
  beforeAll(async () => {
    target = (await createVersion(t, version.modelId, `2.0.${randomBytes(2).readUInt16BE()}`)).id;
  });

  test.each([
    ['mmlu', null, -5, '[0, 1]'],
    ['capitals', null, 1.2, '[0, 1]'],
    ['mmlu', 'acc', 81, '[0, 1]'],
    ['mt_bench', null, 11, '[1, 10]'],
    ['mt_bench', 'rating', 0.5, '[1, 10]'],
    ['wikitext', 'word_perplexity', 0.5, '[1, ∞)'],
    ['wikitext', 'bits_per_byte', -0.1, '[0, ∞)'],
  ])('%s %s = %d is refused, naming the field and the range %s', async (benchmark, metric, score, range) => {
    const res = await t.gql(EVAL, { input: { versionId: target, benchmark, metric, score } }, { token: carol });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('score');
    expect(res.errors![0].message).toContain(range);
  });

  test('infinite scores and figures are refused too', async () => {
    const inf = await t.gql(`mutation($v: ID!) { recordEvaluation(input: { versionId: $v, benchmark: "elo", score: 1e999 }) { id } }`, { v: target }, { token: carol });
    expect([errorCode(inf), inf.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'score']);
    const fast = await t.gql(`mutation($v: ID!) { recordBenchmark(input: { versionId: $v, hardwareProfile: "L4", throughputTokensPerSecond: 1e999 }) { id } }`, { v: target }, { token: carol });
    expect([errorCode(fast), fast.errors![0].extensions!.field]).toEqual(['BAD_USER_INPUT', 'throughputTokensPerSecond']);
  });

  test('nothing refused was stored or audited; scores inside their ranges are', async () => {
    for (const [benchmark, metric, score] of [['mmlu', null, 0], ['mmlu', null, 1], ['mt_bench', null, 7.5], ['wikitext', 'word_perplexity', 12.3], ['chatbot_arena', null, 1250], ['elo', null, -40]] as const) {
      const res = await t.gql(EVAL, { input: { versionId: target, benchmark, metric, score } }, { token: carol });
      expect([benchmark, res.errors]).toEqual([benchmark, undefined]);
    }
    const stored = await t.dataSource.query(`SELECT benchmark, score FROM evaluations WHERE version_id = $1 ORDER BY recorded_at`, [target]);
    expect(stored.map((r: { benchmark: string; score: number }) => [r.benchmark, r.score])).toEqual([['mmlu', 0], ['mmlu', 1], ['mt_bench', 7.5], ['wikitext', 12.3], ['chatbot_arena', 1250], ['elo', -40]]);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM benchmarks WHERE version_id = $1`, [target])).toEqual([{ n: 0 }]);
    const [audited] = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE version_id = $1 AND action IN ('evaluation.recorded', 'benchmark.recorded')`, [target]);
    expect(audited.n).toBe(6);
  });
});

describe('the leaderboard', () => {
  const metric = `ev-${randomBytes(4).toString('hex')}`;
  const BOARD = `query($m: String!, $p: Provenance) { leaderboard(metric: $m, provenance: $p, first: 50) { entries { rank value provenance model { name } } } }`;
  const names: Record<'typed' | 'run' | 'card', string> = { typed: '', run: '', card: '' };

  beforeAll(async () => {
    for (const key of ['typed', 'run', 'card'] as const) {
      const model = await registerModel(t, { project, name: `${tag}-${key}` });
      const v = await createVersion(t, model.id, '1.0.0');
      names[key] = model.name;
      // What a run or a card import writes (the services' own inserts; no endpoint types these in).
      const insert = (provenance: string, score: number) =>
        t.dataSource.query(`INSERT INTO evaluations (model_id, version_id, benchmark, score, recorded_by, provenance) VALUES ($1, $2, $3, $4, 'runner', $5)`, [model.id, v.id, metric, score, provenance]);
      if (key === 'typed') {
        // A typed-in 0.99 must not lift a model whose own run measured 0.2.
        expect((await t.gql(EVAL, { input: { versionId: v.id, benchmark: metric, score: 0.99 } }, { token: carol })).errors).toBeUndefined();
        await insert('MEASURED', 0.2);
      }
      if (key === 'run') await insert('MEASURED', 0.5);
      if (key === 'card') await insert('REPORTED', 0.7);
    }
  });

  const board = async (p: string | null) => {
    const res = await t.gql(BOARD, { m: metric, p }, { as: Role.VIEWER });
    expect(res.errors).toBeUndefined();
    return res.data!.leaderboard.entries.map((e: { rank: number; value: number; provenance: string; model: { name: string } }) => [e.rank, e.model.name, e.value, e.provenance]);
  };

  test('ranks MEASURED and REPORTED results by default, each entry saying which; RECORDED ones never', async () => {
    expect(await board(null)).toEqual([[1, names.card, 0.7, 'REPORTED'], [2, names.run, 0.5, 'MEASURED'], [3, names.typed, 0.2, 'MEASURED']]);
    expect(await board('MEASURED')).toEqual([[1, names.run, 0.5, 'MEASURED'], [2, names.typed, 0.2, 'MEASURED']]);
  });

  test('shows RECORDED results only when asked for', async () => {
    expect(await board('RECORDED')).toEqual([[1, names.typed, 0.99, 'RECORDED']]);
  });
});
