import { draftVersion } from '../support/files-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/** A board ranks one scale: a perplexity recorded under an accuracy benchmark never outranks the accuracies. */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t.stop();
});

test('scores recorded with a metric of another scale stay off the benchmark board', async () => {
  const benchmark = uniqueName('scale');
  const record = async (metric: string | null, score: number) => {
    const { versionId, modelId } = await draftVersion(t);
    const res = await t.gql(`mutation($v: ID!, $b: String!, $m: String, $s: Float!) { recordEvaluation(input: { versionId: $v, benchmark: $b, metric: $m, score: $s }) { id } }`, { v: versionId, b: benchmark, m: metric, s: score });
    expect(res.errors).toBeUndefined();
    return modelId;
  };
  const accurate = await record('acc', 0.8);
  const plain = await record(null, 0.6);
  await record('perplexity', 1e308);
  await record('elo', 1500);
  const board = await t.gql(`query($b: String!) { leaderboard(metric: $b, provenance: RECORDED, first: 10) { entries { rank value model { id } } } }`, { b: benchmark });
  expect(board.errors).toBeUndefined();
  expect(board.data!.leaderboard.entries).toEqual([
    { rank: 1, value: 0.8, model: { id: accurate } },
    { rank: 2, value: 0.6, model: { id: plain } },
  ]);
});
