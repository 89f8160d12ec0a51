import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { LocalCacheWorkflowInput } from '../src/domain/onboarding/workflow-inputs';
import { failureDetails } from './failure-details';

const copy = proxyActivities<Activities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumInterval: '1 minute', maximumAttempts: 10 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

// Settling never gives up on a transient fault: no attempt cap, a bounded backoff.
const bookkeeping = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1s', maximumInterval: '1 minute' } });

/** Materialise a verified version into the cache root as a ready-to-serve directory. */
export async function localCacheWorkflow(input: LocalCacheWorkflowInput): Promise<string> {
  try {
    return await copy.materializeCache(input);
  } catch (error) {
    const cancelled = isCancellation(error);
    const message = cancelled ? 'cache cancelled' : failureDetails(error).message;
    await CancellationScope.nonCancellable(() => bookkeeping.failCache(input, message, cancelled));
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(message, 'CACHE_FAILED');
  }
}
