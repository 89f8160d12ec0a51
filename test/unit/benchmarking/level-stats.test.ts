import { levelMetrics, percentile, tpot } from '../../../src/benchmarking/level-stats';
import type { RequestSample } from '../../../src/benchmarking/load-types';
import { SseDataReader } from '../../../src/benchmarking/sse-lines';
import { MetricDirection } from '../../../src/domain/leaderboard/leaderboard-metric';
import { paretoFront } from '../../../src/domain/leaderboard/pareto-front';

const sample = (over: Partial<RequestSample>): RequestSample => ({
  startMs: 0, startedAt: 0, ttftMs: 100, itlMs: [10, 10, 10], e2eMs: 130, inputTokens: 8, outputTokens: 4, tokensCounted: false, status: 200, error: null, requestId: 'r', ...over,
});

describe('level statistics', () => {
  it('uses nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 90), percentile(values, 99), percentile(values, 100)]).toEqual([50, 90, 99, 100]);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
  });

  it('computes TPOT after the first token, and none for one-token answers', () => {
    expect(tpot(sample({}))).toBe(10);
    expect(tpot(sample({ outputTokens: 1 }))).toBeNull();
  });

  it('derives throughput from the wall time the level spans, errors and goodput under an SLO', () => {
    const samples = [
      sample({ startMs: 0, e2eMs: 500 }),
      sample({ startMs: 500, e2eMs: 500, ttftMs: 300 }),
      sample({ startMs: 0, e2eMs: 10, error: 'HTTP 500', status: 500, ttftMs: null, itlMs: [], outputTokens: 0 }),
    ];
    const m = levelMetrics(2, samples, { ttftMs: 200 });
    expect(m).toMatchObject({ requests: 3, errors: 1, durationS: 1, requestsPerSecond: 2, outputTokensPerSecond: 8, inputTokensPerSecond: 16, goodput: 1 });
    expect(m.errorRate).toBeCloseTo(1 / 3);
    expect(m.sloAttainment).toBeCloseTo(1 / 3);
    expect(m.ttftMs).toMatchObject({ p50: 100, p99: 300 });
  });

  it('splits SSE data lines across arbitrary chunk boundaries', () => {
    const reader = new SseDataReader();
    expect(reader.push('data: {"a"')).toEqual([]);
    expect(reader.push(':1}\r\n\r\nda')).toEqual(['{"a":1}']);
    expect(reader.push('ta:[DONE]\n\n: comment\n')).toEqual(['[DONE]']);
  });
});

describe('Pareto front', () => {
  const point = (modelName: string, quality: number, performance: number) => ({ modelId: modelName, modelName, quality, performance });
  it('keeps exactly the non-dominated points, best quality first; equal points both stay', () => {
    const points = [point('a', 0.8, 100), point('b', 0.7, 300), point('c', 0.6, 200), point('d', 0.8, 50), point('e', 0.7, 300)];
    expect(paretoFront(points, MetricDirection.HIGHER_IS_BETTER, MetricDirection.HIGHER_IS_BETTER).map((p) => p.modelName)).toEqual(['a', 'b', 'e']);
    // Lower is better on performance: d (0.8 at 50) now beats everyone.
    expect(paretoFront(points, MetricDirection.HIGHER_IS_BETTER, MetricDirection.LOWER_IS_BETTER).map((p) => p.modelName)).toEqual(['d']);
  });
});
