import { MetricDirection } from './leaderboard-metric';

export interface Candidate {
  modelId: string;
  modelName: string;
  value: number;
}

export interface Ranked<T extends Candidate> {
  rank: number;
  entry: T;
}

/**
 * Orders candidates best first and assigns competition ranks (1, 1, 3): equal values share a rank,
 * ties are listed by model name so the order is stable between requests.
 */
export function rankCandidates<T extends Candidate>(candidates: readonly T[], direction: MetricDirection): Ranked<T>[] {
  const sign = direction === MetricDirection.HIGHER_IS_BETTER ? -1 : 1;
  const sorted = [...candidates].sort(
    (a, b) => sign * (a.value - b.value) || a.modelName.localeCompare(b.modelName),
  );
  const ranked: Ranked<T>[] = [];
  sorted.forEach((entry, index) => {
    const previous = ranked[index - 1];
    const rank = previous && previous.entry.value === entry.value ? previous.rank : index + 1;
    ranked.push({ rank, entry });
  });
  return ranked;
}
