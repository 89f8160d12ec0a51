import { availableParallelism } from 'node:os';
import { openLoopThreads, openShards } from '../../../src/benchmarking/open-loop';

describe('open-loop load threads', () => {
  const cores = Math.min(availableParallelism(), 4);

  it('threads a rate level once rate × e2e (requests in flight) reaches the closed-loop threshold of 64', () => {
    expect(openLoopThreads(50, 1000, 4096)).toBe(1);
    expect(openLoopThreads(64, 1000, 4096)).toBe(cores);
    expect(openLoopThreads(20, 3200, 4096)).toBe(cores); // slow answers: few requests per second, many in flight
    expect(openLoopThreads(500, 100, 4096)).toBe(1); // fast answers: 50 in flight
    // Never more than the in-flight cap allows; without warm-up e2e is taken as 1 s.
    expect(openLoopThreads(1000, 5000, 32)).toBe(1);
    expect(openLoopThreads(63, null, 4096)).toBe(1);
    expect(openLoopThreads(64, null, 4096)).toBe(cores);
    // Forced (tests, bench): as asked, within the cap and 4.
    expect(openLoopThreads(5, 100, 4096, 2)).toBe(2);
    expect(openLoopThreads(5, 100, 3, 8)).toBe(3);
  });

  it("splits the level's in-flight cap into shares that add up, and keeps the level's schedule in each", () => {
    const plan = { rate: 100, firstIndex: 3, limit: 101, durationMs: 5000, maxInFlight: 10, tag: 'l0', shard: { index: 0, of: 1 } };
    const shares = openShards(plan, 3);
    expect(shares.map((p) => [p.maxInFlight, p.shard.index, p.shard.of])).toEqual([[4, 0, 3], [3, 1, 3], [3, 2, 3]]);
    // The limit, rate, first index and duration are the level's: each share takes k ≡ index (mod of) below them.
    expect(shares.every((p) => p.limit === 101 && p.rate === 100 && p.firstIndex === 3 && p.durationMs === 5000)).toBe(true);
  });
});
