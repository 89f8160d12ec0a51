import type { ReportedScore } from './model-index';

const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** One stored REPORTED evaluation, as far as a model card can say anything about it. */
export interface StoredReportedScore {
  benchmark: string;
  metric: string | null;
  score: number;
  details: Record<string, unknown>;
}

function key(benchmark: string, metric: string | null, score: number, dataset: unknown, source: unknown): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return JSON.stringify([benchmark, metric, score, text(dataset), text(source)]);
}

/**
 * Whether the card's scores differ from the stored ones, as multisets: order in the card does not matter, a
 * repeated score does. Only what the card states counts (benchmark, metric, value, dataset, source link), not
 * when or from which commit it was read, so a new upstream commit that leaves the scores alone rewrites nothing.
 */
export function reportedScoresChanged(stored: readonly StoredReportedScore[], card: readonly ReportedScore[]): boolean {
  if (stored.length !== card.length) return true;
  const counts = new Map<string, number>();
  for (const s of stored) {
    const k = key(s.benchmark, s.metric, s.score, s.details.dataset, s.details.source);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const c of card) {
    const k = key(c.benchmark, c.metric, c.score, c.dataset, c.source);
    const left = counts.get(k) ?? 0;
    if (left === 0) return true;
    counts.set(k, left - 1);
  }
  return false;
}

/**
 * The ref a refresh reads the card at: the branch or tag the version was imported from (it follows that ref's
 * head), or `main` when the import pinned a commit sha (a sha never moves, so it would never show a change).
 */
export function refreshRevision(importedRevision: unknown): string {
  return typeof importedRevision === 'string' && importedRevision.trim() && !COMMIT_SHA.test(importedRevision) ? importedRevision : 'main';
}

/** What refreshing one model's reported scores came to. */
export type ModelRefreshOutcome = 'changed' | 'unchanged' | 'skipped' | 'failed';

/** Totals of a refresh run (or of one batch of it): models checked and what became of them. */
export interface ReportedScoresRefreshReport {
  checked: number;
  changed: number;
  unchanged: number;
  /** No version to refresh (none imported from the hub, or all archived, in progress or needing attention). */
  skipped: number;
  /** The repository was gone, private or unreachable: the model kept its scores. */
  failed: number;
  /** The first few failures, for the operator (bounded: a hub outage fails every model). */
  failures: { modelId: string; reason: string }[];
}

export const MAX_LISTED_FAILURES = 20;
