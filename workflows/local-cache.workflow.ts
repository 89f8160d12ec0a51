import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { LocalCacheWorkflowInput } from '../src/domain/onboarding/workflow-inputs';
import { failureDetails } from './failure-details';

const COPY = {
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumInterval: '1 minute', maximumAttempts: 10 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
} as const;

const copy = proxyActivities<Activities>(COPY);

// Settling never gives up on a transient fault: no attempt cap, a bounded backoff.
const bookkeeping = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1s', maximumInterval: '1 minute' } });

/**
 * Materialise a verified version into a worker host's cache root as a ready-to-serve directory. The cache lives
 * on one host's disk: that host is claimed first (recorded on the cache) and the copy runs on its own task queue.
 */
export async function localCacheWorkflow(input: LocalCacheWorkflowInput): Promise<string> {
  try {
    if (patched('cache-on-host')) {
      const hostQueue = await bookkeeping.claimCacheHost(input);
      // A host that is gone for good never picks the copy up: fail after a while instead of waiting forever.
      const onHost = proxyActivities<Activities>({ ...COPY, taskQueue: hostQueue, scheduleToStartTimeout: '10 minutes' });
      return await onHost.materializeCache(input);
    }
    return await copy.materializeCache(input);
  } catch (error) {
    const cancelled = isCancellation(error);
    const message = cancelled ? 'cache cancelled' : failureDetails(error).message;
    await CancellationScope.nonCancellable(() => bookkeeping.failCache(input, message, cancelled));
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(message, 'CACHE_FAILED');
  }
}
