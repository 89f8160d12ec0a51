import { MetricDirection } from './leaderboard-metric';

export interface ParetoCandidate {
  modelId: string;
  modelName: string;
  quality: number;
  performance: number;
}

/** a is at least as good as b on both axes and strictly better on one. */
function dominates(a: ParetoCandidate, b: ParetoCandidate, quality: MetricDirection, performance: MetricDirection): boolean {
  const better = (x: number, y: number, dir: MetricDirection) => (dir === MetricDirection.HIGHER_IS_BETTER ? x - y : y - x);
  const q = better(a.quality, b.quality, quality);
  const p = better(a.performance, b.performance, performance);
  return q >= 0 && p >= 0 && (q > 0 || p > 0);
}

/**
 * The models no other model beats on both metrics, ordered by quality best first (then by name). Quadratic,
 * which is fine for one point per model on a board.
 */
export function paretoFront<T extends ParetoCandidate>(points: readonly T[], quality: MetricDirection, performance: MetricDirection): T[] {
  const front = points.filter((p) => !points.some((other) => other !== p && dominates(other, p, quality, performance)));
  const sign = quality === MetricDirection.HIGHER_IS_BETTER ? -1 : 1;
  return front.sort((a, b) => sign * (a.quality - b.quality) || a.modelName.localeCompare(b.modelName));
}
