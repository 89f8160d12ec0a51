import { ActivityFailure, ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { RetryVerdict, UnreachableStreak } from '../src/domain/onboarding/source-retry';

type ImportIds = Parameters<Activities['noteSourceFailure']>[0];

// Same policy as the import's other bookkeeping: our own database is retried without a cap.
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The type activities give an unreachable source (src/domain/onboarding/source-retry.ts SOURCE_UNREACHABLE). */
export const SOURCE_UNREACHABLE = 'SOURCE_UNREACHABLE';

/**
 * Runs a step that reads an external source, whose activity options list SOURCE_UNREACHABLE as non-retryable:
 * such a failure comes back here, where each one is shown on the operation (cause, attempt, next retry) and
 * retried on a workflow timer until the external-source budget is spent; then the import fails with the cause.
 * Every other failure keeps the activity's own retry policy. Times are the workflow's (deterministic).
 */
export async function retryingUnreachable<T>(ids: ImportIds, step: () => Promise<T>): Promise<T> {
  let streak: UnreachableStreak | null = null;
  for (;;) {
    try {
      const result = await step();
      if (streak) await bookkeeping.clearSourceFailure(ids);
      return result;
    } catch (error) {
      const cause = unreachableCause(error);
      if (cause === null) throw error;
      const verdict: RetryVerdict = await bookkeeping.noteSourceFailure(ids, cause, streak, Date.now());
      if (verdict.retryInMs === null) {
        const seconds = Math.round((Date.now() - verdict.streak.sinceMs) / 1000);
        throw ApplicationFailure.nonRetryable(`${cause} (unreachable for ${seconds} s, ${verdict.streak.attempt} attempts)`, SOURCE_UNREACHABLE);
      }
      streak = verdict.streak;
      await sleep(verdict.retryInMs);
    }
  }
}

function unreachableCause(error: unknown): string | null {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === SOURCE_UNREACHABLE ? cause.message : null;
}
