import { createVersion, errorCode, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

const BOARD = `query($metric: String!, $hw: String, $tags: [String!], $min: BigInt, $max: BigInt, $prov: Provenance, $ttft: Float) {
  leaderboard(metric: $metric, hardwareProfile: $hw, tags: $tags, minParams: $min, maxParams: $max, provenance: $prov, maxTtftP99Ms: $ttft, first: 50) {
    metric direction entries { rank value hardwareProfile model { name } } } }`;
const FRONT = `query($q: String!, $p: String!, $hw: String) { paretoFront(qualityMetric: $q, performanceMetric: $p, hardwareProfile: $hw) {
  qualityMetric performanceMetric points { quality performance hardwareProfile model { name } } } }`;

// Five models with known scores; the expected fronts are worked out by hand in the assertions.
const MODELS = [
  { key: 'a', params: '7000000000', mmlu: 0.8, tput: 100, ttft: 200 },
  { key: 'b', params: '13000000000', mmlu: 0.7, tput: 300, ttft: 100 },
  { key: 'c', params: '3000000000', mmlu: 0.6, tput: 200, ttft: 50 },
  { key: 'd', params: '70000000000', mmlu: 0.8, tput: 50, ttft: 300 },
  { key: 'e', params: '1000000000', mmlu: 0.9, tput: null, ttft: null },
];

describe('leaderboard filters and Pareto front', () => {
  let t: TestApp;
  const tag = uniqueName('board');
  const hw = `1x${uniqueName('H100')}`;
  const names = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp();
    for (const m of MODELS) {
      const model = await registerModel(t, { name: `${tag}-${m.key}`, tags: [tag], parameterCount: m.params });
      names.set(m.key, model.name);
      const v = await createVersion(t, model.id, '1.0.0');
      const ev = await t.gql(`mutation($v: ID!, $s: Float!) { recordEvaluation(input: { versionId: $v, benchmark: "mmlu", score: $s }) { id } }`, { v: v.id, s: m.mmlu });
      expect(ev.errors).toBeUndefined();
      if (m.tput !== null) {
        const b = await t.gql(
          `mutation($v: ID!, $hw: String!, $t: Float!, $f: Float!) { recordBenchmark(input: { versionId: $v, hardwareProfile: $hw, throughputTokensPerSecond: $t, ttftP50Ms: $f, ttftP99Ms: $f }) { id } }`,
          { v: v.id, hw, t: m.tput, f: m.ttft },
        );
        expect(b.errors).toBeUndefined();
      }
    }
    // Stand-ins for our own runs: typed-in rows are RECORDED, which the default board leaves out.
    const ids = `SELECT v.id FROM model_versions v JOIN models m ON m.id = v.model_id WHERE $1 = ANY(m.tags)`;
    await t.dataSource.query(`UPDATE evaluations SET provenance = 'MEASURED' WHERE version_id IN (${ids})`, [tag]);
    await t.dataSource.query(`UPDATE benchmarks SET provenance = 'MEASURED' WHERE version_id IN (${ids})`, [tag]);
  });
  afterAll(() => t?.stop());

  const board = async (vars: Record<string, unknown>) => {
    const res = await t.gql(BOARD, { tags: [tag], ...vars });
    expect(res.errors).toBeUndefined();
    return res.data!.leaderboard.entries.map((e: { rank: number; value: number; model: { name: string } }) => [e.rank, e.model.name.slice(tag.length + 1), e.value]);
  };

  it('ranks by a quality metric with competition ranks, filtered by tags and parameter counts', async () => {
    expect(await board({ metric: 'mmlu' })).toEqual([[1, 'e', 0.9], [2, 'a', 0.8], [2, 'd', 0.8], [4, 'b', 0.7], [5, 'c', 0.6]]);
    expect(await board({ metric: 'mmlu', min: '5000000000', max: '20000000000' })).toEqual([[1, 'a', 0.8], [2, 'b', 0.7]]);
    expect(await board({ metric: 'mmlu', prov: 'REPORTED' })).toEqual([]);
    expect(await board({ metric: 'mmlu', prov: 'MEASURED' })).toHaveLength(5);
  });

  it('ranks by a performance metric on a hardware profile, under a P99 TTFT bound', async () => {
    expect(await board({ metric: 'throughput_tokens_per_second', hw })).toEqual([[1, 'b', 300], [2, 'c', 200], [3, 'a', 100], [4, 'd', 50]]);
    expect(await board({ metric: 'throughput_tokens_per_second', hw, ttft: 150 })).toEqual([[1, 'b', 300], [2, 'c', 200]]);
    expect(await board({ metric: 'ttft_p99_ms', hw })).toEqual([[1, 'c', 50], [2, 'b', 100], [3, 'a', 200], [4, 'd', 300]]);
  });

  it('returns the models no other beats on both metrics', async () => {
    const front = async (p: string) => {
      const res = await t.gql(FRONT, { q: 'mmlu', p, hw });
      expect(res.errors).toBeUndefined();
      return res.data!.paretoFront.points.filter((x: { model: { name: string } }) => x.model.name.startsWith(tag)).map((x: { quality: number; performance: number; model: { name: string } }) => [x.model.name.slice(tag.length + 1), x.quality, x.performance]);
    };
    // d is beaten by a (same quality, less throughput), c by b; e has no benchmark on this hardware.
    expect(await front('throughput_tokens_per_second')).toEqual([['a', 0.8, 100], ['b', 0.7, 300]]);
    // Lower TTFT is better: c now wins on speed and joins the front.
    expect(await front('ttft_p99_ms')).toEqual([['a', 0.8, 200], ['b', 0.7, 100], ['c', 0.6, 50]]);
  });

  it('pages through the board with cursors, ranks continuing across pages (ties included)', async () => {
    const PAGE = `query($metric: String!, $tags: [String!], $after: String) { leaderboard(metric: $metric, tags: $tags, first: 2, after: $after) {
      entries { rank value cursor model { name } } pageInfo { hasNextPage endCursor } } }`;
    const seen: [number, string][] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const res: { errors?: unknown; data?: { leaderboard: unknown } | null } = await t.gql(PAGE, { metric: 'mmlu', tags: [tag], after });
      expect(res.errors).toBeUndefined();
      const { entries, pageInfo } = res.data!.leaderboard as { entries: { rank: number; cursor: string; model: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      seen.push(...entries.map((e) => [e.rank, e.model.name.slice(tag.length + 1)] as [number, string]));
      expect(pageInfo.endCursor).toBe(entries.at(-1)?.cursor ?? null);
      after = pageInfo.endCursor;
      if (!pageInfo.hasNextPage) break;
    }
    // The tie a/d at 0.8 is split by the page boundary and both keep rank 2.
    expect(seen).toEqual([[1, 'e'], [2, 'a'], [2, 'd'], [4, 'b'], [5, 'c']]);
    // A cursor of another board, or a forged one, is the caller's error on `after`.
    const other = await t.gql(PAGE, { metric: 'ttft_p99_ms', tags: [tag], after });
    expect(errorCode(other)).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(PAGE, { metric: 'mmlu', tags: [tag], after: 'forged' }))).toBe('BAD_USER_INPUT');
  });

  it('narrows the Pareto front with the leaderboard filters', async () => {
    const res = await t.gql(`query($hw: String, $max: BigInt) { paretoFront(qualityMetric: "mmlu", performanceMetric: "throughput_tokens_per_second", hardwareProfile: $hw, maxParams: $max) {
      points { model { name } } } }`, { hw, max: '10000000000' });
    expect(res.errors).toBeUndefined();
    // Without b (13B), a and c remain and c (0.6 at 200 tokens/s) is no longer beaten.
    const names = res.data!.paretoFront.points.map((x: { model: { name: string } }) => x.model.name).filter((n: string) => n.startsWith(tag)).map((n: string) => n.slice(tag.length + 1));
    expect(names).toEqual(['a', 'c']);
  });

  it('refuses bad metric names and filters with BAD_USER_INPUT', async () => {
    expect(errorCode(await t.gql(FRONT, { q: 'MMLU; drop', p: 'ttft_p99_ms' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(BOARD, { metric: 'mmlu', min: '-1' }))).toBe('BAD_USER_INPUT');
  });

  it('answers forged cursors, page sizes and filter bombs with BAD_USER_INPUT, never an internal error', async () => {
    const PAGE = `query($metric: String!, $after: String, $first: Int, $tags: [String!]) { leaderboard(metric: $metric, after: $after, first: $first, tags: $tags) { entries { rank } } }`;
    const forge = (value: string, name = 'x') => Buffer.from(JSON.stringify(['lb', 'mmlu', value, name, '00000000-0000-0000-0000-000000000000'])).toString('base64url');
    for (const after of [forge('1e999'), forge('-1e999'), forge('1e-999'), forge('9'.repeat(400)), forge('0.5', 'n'.repeat(5000)), 'A'.repeat(100_000)]) {
      const res = await t.gql(PAGE, { metric: 'mmlu', after });
      expect([after.slice(0, 40), errorCode(res), res.errors?.[0].message]).toEqual([after.slice(0, 40), 'BAD_USER_INPUT', expect.stringMatching(/^Invalid after: is not a cursor|after/)]);
    }
    // A well-formed cursor of our own shape still pages (values PostgreSQL prints, including tiny ones).
    for (const after of [forge('0.5'), forge('1e-320'), forge('-0')]) expect((await t.gql(PAGE, { metric: 'mmlu', after })).errors).toBeUndefined();
    for (const first of [0, -1, 1_000_000]) expect(errorCode(await t.gql(PAGE, { metric: 'mmlu', first }))).toBe('BAD_USER_INPUT');
    // Ten thousand tags are refused, not silently cut to the first twenty (which would answer another question).
    const many = await t.gql(PAGE, { metric: 'mmlu', tags: Array.from({ length: 10_000 }, (_, i) => `t${i}`) });
    expect([errorCode(many), many.errors?.[0].message]).toEqual(['BAD_USER_INPUT', expect.stringMatching(/at most 20 tags/)]);
    expect(errorCode(await t.gql(PAGE, { metric: "mmlu' OR 1=1 --" }))).toBe('BAD_USER_INPUT');
  });
});
