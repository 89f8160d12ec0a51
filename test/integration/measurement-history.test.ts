import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';

const BENCHMARKS = `query($m: ID!, $hw: String, $v: ID, $p: Provenance, $since: DateTimeISO, $until: DateTimeISO, $order: HistoryOrder, $first: Int, $after: String) {
  benchmarkHistory(modelId: $m, hardwareProfile: $hw, versionId: $v, provenance: $p, since: $since, until: $until, order: $order, first: $first, after: $after) {
    edges { cursor node { id hardwareProfile recordedAt ttftP99Ms version { version } model { id } } }
    pageInfo { hasNextPage endCursor }
    hardwareProfiles
  }
}`;
const EVALUATIONS = `query($m: ID!, $b: String, $metric: String, $order: HistoryOrder, $first: Int, $after: String) {
  evaluationHistory(modelId: $m, benchmark: $b, metric: $metric, order: $order, first: $first, after: $after) {
    edges { cursor node { id benchmark metric score recordedAt } }
    pageInfo { hasNextPage endCursor }
    evaluations
  }
}`;

interface Row { id: string; at: string; hw: string; version: string }

/** Benchmark and evaluation history per model over time, through GraphQL on real PostgreSQL. */
describe('benchmarkHistory and evaluationHistory', () => {
  let t: TestApp;
  let modelId: string;
  let v1: string;
  let v2: string;
  // Seven runs: two hardware profiles, two versions, two runs one microsecond apart and two at the same instant.
  const plan = [
    { at: '2026-01-01T00:00:00.000000Z', hw: 'A', v: 1 },
    { at: '2026-02-01T00:00:00.000000Z', hw: 'B', v: 1 },
    { at: '2026-03-01T12:00:00.000001Z', hw: 'A', v: 1 },
    { at: '2026-03-01T12:00:00.000002Z', hw: 'A', v: 2 },
    { at: '2026-04-01T00:00:00.000000Z', hw: 'B', v: 2 },
    { at: '2026-04-01T00:00:00.000000Z', hw: 'A', v: 2 },
    { at: '2026-05-01T00:00:00.000000Z', hw: 'A', v: 2 },
  ];
  let rows: Row[]; // newest first, ties by id descending: the order the history must give

  beforeAll(async () => {
    t = await startTestApp();
    modelId = (await registerModel(t)).id;
    v1 = (await createVersion(t, modelId, '1.0.0')).id;
    v2 = (await createVersion(t, modelId, '2.0.0')).id;
    rows = [];
    for (const [i, p] of plan.entries()) {
      const res = await t.gql(`mutation($input: RecordBenchmarkInput!) { recordBenchmark(input: $input) { id } }`, {
        input: { versionId: p.v === 1 ? v1 : v2, hardwareProfile: p.hw, ttftP99Ms: 100 + i },
      });
      expect(res.errors).toBeUndefined();
      const id = res.data!.recordBenchmark.id as string;
      await t.dataSource.query(`UPDATE benchmarks SET recorded_at = $2 WHERE id = $1`, [id, p.at]);
      rows.push({ id, at: p.at, hw: p.hw, version: p.v === 1 ? '1.0.0' : '2.0.0' });
    }
    rows.sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    for (const [benchmark, metric, score, at] of [['mmlu', 'acc', 0.61, '2026-01-05'], ['mmlu', 'acc', 0.64, '2026-02-05'], ['humaneval', 'pass@1', 0.3, '2026-03-05']] as const) {
      const res = await t.gql(`mutation($input: RecordEvaluationInput!) { recordEvaluation(input: $input) { id } }`, { input: { versionId: v2, benchmark, score, metric } });
      await t.dataSource.query(`UPDATE evaluations SET recorded_at = $2 WHERE id = $1`, [res.data!.recordEvaluation.id, at]);
    }
  });
  afterAll(async () => { await t?.stop(); });

  const history = async (vars: Record<string, unknown>, token?: string) => t.gql(BENCHMARKS, { m: modelId, ...vars }, token ? { token } : {});
  async function walk(vars: Record<string, unknown>, first: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res = await history({ ...vars, first, after });
      expect(res.errors).toBeUndefined();
      const page = res.data!.benchmarkHistory;
      ids.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) return { ids, pages };
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1).cursor);
      after = page.pageInfo.endCursor;
    }
  }

  it('pages newest first by recordedAt then id, without skipping runs a microsecond apart or at the same instant', async () => {
    const all = await history({ first: 20 });
    expect(all.errors).toBeUndefined();
    const page = all.data!.benchmarkHistory;
    expect(page.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(rows.map((r) => r.id));
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.hardwareProfiles).toEqual(['A', 'B']);
    expect(page.edges[0].node).toMatchObject({ recordedAt: '2026-05-01T00:00:00.000Z', version: { version: '2.0.0' }, model: { id: modelId } });
    for (const size of [1, 2, 3]) {
      const walked = await walk({}, size);
      expect(walked.ids).toEqual(rows.map((r) => r.id));
      expect(walked.pages).toBe(Math.ceil(rows.length / size));
    }
    const forward = await walk({ order: 'OLDEST_FIRST' }, 2);
    expect(forward.ids).toEqual([...rows].reverse().map((r) => r.id));
  });

  it('filters by hardware profile, version, provenance and a time window', async () => {
    const ids = async (vars: Record<string, unknown>) => (await walk(vars, 2)).ids;
    expect(await ids({ hw: 'A' })).toEqual(rows.filter((r) => r.hw === 'A').map((r) => r.id));
    expect(await ids({ hw: 'B', v: v2 })).toEqual(rows.filter((r) => r.hw === 'B' && r.version === '2.0.0').map((r) => r.id));
    expect(await ids({ p: 'REPORTED' })).toEqual([]);
    expect(await ids({ p: 'MEASURED' })).toEqual([]);
    expect(await ids({ p: 'RECORDED' })).toHaveLength(7);
    // since is inclusive and until exclusive, to the microsecond.
    expect(await ids({ since: '2026-03-01T12:00:00.000Z', until: '2026-04-01T00:00:00.000Z' })).toEqual(rows.filter((r) => r.at.startsWith('2026-03')).map((r) => r.id));
    expect(await ids({ since: '2026-04-01T00:00:00.000Z' })).toHaveLength(3);
    expect(await ids({ hw: 'C' })).toEqual([]);
  });

  it('keeps evaluation history per evaluation and metric', async () => {
    const res = await t.gql(EVALUATIONS, { m: modelId, b: 'mmlu', order: 'OLDEST_FIRST' });
    expect(res.errors).toBeUndefined();
    const page = res.data!.evaluationHistory;
    expect(page.edges.map((e: { node: { score: number } }) => e.node.score)).toEqual([0.61, 0.64]);
    expect(page.evaluations).toEqual(['humaneval', 'mmlu']);
    const metric = await t.gql(EVALUATIONS, { m: modelId, metric: 'pass@1' });
    expect(metric.data!.evaluationHistory.edges.map((e: { node: { benchmark: string } }) => e.node.benchmark)).toEqual(['humaneval']);
    const paged = await t.gql(EVALUATIONS, { m: modelId, first: 2 });
    const next = await t.gql(EVALUATIONS, { m: modelId, first: 2, after: paged.data!.evaluationHistory.pageInfo.endCursor });
    expect([...paged.data!.evaluationHistory.edges, ...next.data!.evaluationHistory.edges].map((e: { node: { score: number } }) => e.node.score)).toEqual([0.3, 0.64, 0.61]);
    expect(next.data!.evaluationHistory.pageInfo.hasNextPage).toBe(false);
  });

  it('answers bad cursors, windows, sizes and ids with BAD_USER_INPUT, and hides other projects’ models as NOT_FOUND', async () => {
    const first = (await history({ first: 1 })).data!.benchmarkHistory.pageInfo.endCursor as string;
    const evaluationCursor = (await t.gql(EVALUATIONS, { m: modelId, first: 1 })).data!.evaluationHistory.pageInfo.endCursor as string;
    const forged = Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', "2026-01-01'; DROP TABLE benchmarks; --", rows[0].id])).toString('base64url');
    // A date JavaScript takes but PostgreSQL does not (it has no year 0): the cast in SQL was an internal error.
    const yearZero = Buffer.from(JSON.stringify(['h', 'benchmark', 'newest', '0000-01-01T00:00:00.000000Z', rows[0].id])).toString('base64url');
    for (const [vars, pattern] of [
      [{ after: 'not-a-cursor' }, /not a cursor returned by this API/],
      [{ after: forged }, /not a cursor returned by this API/],
      [{ after: yearZero }, /not a cursor returned by this API/],
      [{ after: 'x'.repeat(5000) }, /not a cursor returned by this API/],
      [{ after: evaluationCursor }, /evaluation history, not the benchmark history/],
      [{ after: first, order: 'OLDEST_FIRST' }, /issued for the NEWEST_FIRST order/],
      [{ since: '2026-05-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, /until.*later than since/],
      [{ first: 0 }, /first/],
      [{ first: 100_000 }, /first/],
      [{ m: 'not-an-id' }, /modelId/],
      [{ v: 'not-an-id' }, /versionId/],
    ] as const) {
      const res = await history(vars);
      expect([vars, errorCode(res)]).toEqual([vars, 'BAD_USER_INPUT']);
      expect(res.errors![0].message).toMatch(pattern);
    }
    const unknown = await history({ m: '00000000-0000-4000-8000-000000000000' });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const stranger = await issueToken(t.config.auth, 'stranger', [], 3600, new Map([['other-project', [Role.EDITOR]]]));
    const hidden = await history({}, stranger);
    expect(errorCode(hidden)).toBe('NOT_FOUND');
    expect(hidden.errors![0].message.replace(modelId, '<id>')).toBe(unknown.errors![0].message.replace('00000000-0000-4000-8000-000000000000', '<id>'));
    expect(errorCode(await t.gql(EVALUATIONS, { m: modelId }, { token: stranger }))).toBe('NOT_FOUND');
    // Nothing was written or lost by any of it.
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM benchmarks WHERE model_id = $1`, [modelId]))[0].n).toBe(7);
  });
});
