/** The operation's errorCode while an external source cannot be reached, and once it gives up on it. */
export const SOURCE_UNREACHABLE = 'SOURCE_UNREACHABLE';

/** A run of failed attempts at an external source with no progress in between (carried by the workflow). */
export interface UnreachableStreak {
  /** When the first failure of the run was seen (workflow time, ms since epoch). */
  sinceMs: number;
  /** Failed attempts in this run so far. */
  attempt: number;
  /** Bytes stored when the run began: more later means the source answered meanwhile, and the run starts over. */
  storedBytes: number;
}

export interface RetryVerdict {
  streak: UnreachableStreak;
  /** Wait this long and try again; null: the budget is spent and the import fails with the cause. */
  retryInMs: number | null;
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;

/**
 * One more failure of an unreachable source. Backoff doubles from 1 s to a minute; the last wait is cut so a
 * final attempt lands when the budget ends, and a failure at or past the budget ends the import. Progress since
 * the run began (bytes stored) means the source came back in between: the budget counts from this failure.
 */
export function nextRetry(previous: UnreachableStreak | null, nowMs: number, storedBytes: number, budgetMs: number): RetryVerdict {
  const continued = previous !== null && storedBytes <= previous.storedBytes;
  const streak: UnreachableStreak = continued
    ? { sinceMs: previous.sinceMs, attempt: previous.attempt + 1, storedBytes: previous.storedBytes }
    : { sinceMs: nowMs, attempt: 1, storedBytes };
  const remaining = streak.sinceMs + budgetMs - nowMs;
  if (remaining <= 0) return { streak, retryInMs: null };
  const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(streak.attempt - 1, 16));
  return { streak, retryInMs: Math.min(backoff, remaining) };
}

/** What the operation's `message` says meanwhile: the cause, the attempt and when the next one runs. */
export function retryMessage(cause: string, verdict: RetryVerdict, nowMs: number): string {
  const { attempt, sinceMs } = verdict.streak;
  if (verdict.retryInMs === null) {
    return `${cause} (gave up after ${attempt} attempts over ${Math.round((nowMs - sinceMs) / 1000)} s)`;
  }
  return `${cause} (attempt ${attempt}, next retry at ${new Date(nowMs + verdict.retryInMs).toISOString()})`;
}
