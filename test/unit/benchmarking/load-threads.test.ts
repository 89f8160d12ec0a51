import { availableParallelism } from 'node:os';
import { loadThreads, shardPlans } from '../../../src/benchmarking/load-threads';

describe('load threads', () => {
  const plan = { concurrency: 7, warm: 14, limit: 101, rampMs: 0, tag: 'l0', shard: { index: 0, of: 1 } };

  it('cuts streams, whole warm-up rounds and measured requests into shares that add up', () => {
    const shares = shardPlans(plan, 3);
    expect(shares.map((p) => [p.concurrency, p.warm, p.limit, p.shard.index, p.shard.of])).toEqual([[3, 6, 34, 0, 3], [2, 4, 34, 1, 3], [2, 4, 33, 2, 3]]);
    expect(shardPlans({ ...plan, limit: Infinity }, 2).map((p) => p.limit)).toEqual([Infinity, Infinity]);
  });

  it('threads only levels with many streams, never more threads than streams or 4', () => {
    expect(loadThreads(63)).toBe(1);
    expect(loadThreads(64)).toBe(Math.min(availableParallelism(), 4));
    expect(loadThreads(500)).toBe(Math.min(availableParallelism(), 4));
    expect(loadThreads(3, 8)).toBe(3);
    expect(loadThreads(100, 0)).toBe(1);
  });
});
