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

  it('refuses bad metric names and filters with BAD_USER_INPUT', async () => {
    expect(errorCode(await t.gql(FRONT, { q: 'MMLU; drop', p: 'ttft_p99_ms' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await t.gql(BOARD, { metric: 'mmlu', min: '-1' }))).toBe('BAD_USER_INPUT');
  });
});
