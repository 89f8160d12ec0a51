import { MetricDirection, resolveLeaderboardMetric } from '../../../src/domain/leaderboard/leaderboard-metric';
import { decodeLeaderboardCursor, encodeLeaderboardCursor } from '../../../src/domain/leaderboard/leaderboard-cursor';

const ID = '0b6f0c7e-1c0e-4a52-9a57-2d1f3f6b8a10';

describe('leaderboard', () => {
  test('cursors round-trip, and are refused for another board or when forged', () => {
    const cursor = { metric: 'mmlu', value: '0.8123456789012345', modelName: 'llama "3"', modelId: ID };
    expect(decodeLeaderboardCursor(encodeLeaderboardCursor(cursor), 'mmlu')).toEqual(cursor);
    expect(() => decodeLeaderboardCursor(encodeLeaderboardCursor(cursor), 'humaneval')).toThrow(/issued for the mmlu board/);
    const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    for (const raw of ['nope', forged(['lb', 'mmlu', '1; DROP TABLE models', 'a', ID]), forged(['lb', 'mmlu', '1', 'a', 'not-a-uuid']), forged({ a: 1 })]) {
      expect(() => decodeLeaderboardCursor(raw, 'mmlu')).toThrow(/not a cursor returned by this API/);
    }
  });

  test('metric names resolve to serving metrics or evaluation benchmarks', () => {
    expect(resolveLeaderboardMetric('TTFT_P99_MS')).toEqual({ kind: 'benchmark', name: 'ttft_p99_ms', direction: MetricDirection.LOWER_IS_BETTER });
    expect(resolveLeaderboardMetric('throughput_tokens_per_second').direction).toBe(MetricDirection.HIGHER_IS_BETTER);
    expect(resolveLeaderboardMetric('MT_Bench')).toEqual({ kind: 'evaluation', name: 'mt_bench', direction: MetricDirection.HIGHER_IS_BETTER });
    expect(() => resolveLeaderboardMetric("mmlu'; --")).toThrow(/metric/);
  });
});
