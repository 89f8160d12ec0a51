import { MetricDirection, resolveLeaderboardMetric } from '../../../src/domain/leaderboard/leaderboard-metric';
import { rankCandidates } from '../../../src/domain/leaderboard/leaderboard-ranking';

const c = (modelName: string, value: number) => ({ modelId: modelName, modelName, value });

describe('leaderboard', () => {
  test('higher is better: competition ranks, ties by name', () => {
    const ranked = rankCandidates([c('b', 0.5), c('a', 0.9), c('d', 0.5), c('c', 0.1)], MetricDirection.HIGHER_IS_BETTER);
    expect(ranked.map((r) => [r.rank, r.entry.modelName])).toEqual([[1, 'a'], [2, 'b'], [2, 'd'], [4, 'c']]);
  });

  test('lower is better for latencies', () => {
    const ranked = rankCandidates([c('slow', 300), c('fast', 20), c('mid', 90)], MetricDirection.LOWER_IS_BETTER);
    expect(ranked.map((r) => r.entry.modelName)).toEqual(['fast', 'mid', 'slow']);
  });

  test('metric names resolve to serving metrics or evaluation benchmarks', () => {
    expect(resolveLeaderboardMetric('TTFT_P99_MS')).toEqual({ kind: 'benchmark', name: 'ttft_p99_ms', direction: MetricDirection.LOWER_IS_BETTER });
    expect(resolveLeaderboardMetric('throughput_tokens_per_second').direction).toBe(MetricDirection.HIGHER_IS_BETTER);
    expect(resolveLeaderboardMetric('MT_Bench')).toEqual({ kind: 'evaluation', name: 'mt_bench', direction: MetricDirection.HIGHER_IS_BETTER });
    expect(() => resolveLeaderboardMetric("mmlu'; --")).toThrow(/metric/);
  });
});
