import { levelFraction } from '../../../src/benchmarking/load-sweep';

describe('levelFraction (benchmark progress within a level)', () => {
  it('counts requests against the limit when the level has no duration', () => {
    expect(levelFraction(0, 40, 5_000, null)).toBe(0);
    expect(levelFraction(10, 40, 5_000, null)).toBe(0.25);
    expect(levelFraction(40, 40, 5_000, undefined)).toBe(1);
  });

  it('follows the clock for a level stopped by duration, even with an unreachable request limit', () => {
    expect(levelFraction(300, 100_000, 3_000, 6)).toBeCloseTo(0.5);
    expect(levelFraction(5, Infinity, 1_500, 6)).toBeCloseTo(0.25);
  });

  it('takes whichever stop comes first and never passes 1', () => {
    expect(levelFraction(90, 100, 1_000, 10)).toBeCloseTo(0.9);
    expect(levelFraction(10, 100, 9_000, 10)).toBeCloseTo(0.9);
    expect(levelFraction(500, 100, 60_000, 10)).toBe(1);
  });
});
