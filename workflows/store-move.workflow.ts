import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { createStoreMoveActivities } from '../activities/store-move.activities';
import type { StoreMoveInput } from '../src/domain/storage/store-move';
import { failureDetails } from './failure-details';

type MoveActivities = ReturnType<typeof createStoreMoveActivities>;

// The copy heartbeats its bytes; a dead worker is noticed within the heartbeat timeout and the next attempt
// resumes (blobs already in the target are only read back). A store away for all ten attempts fails the move,
// which leaves the version where it was.
const copier = proxyActivities<MoveActivities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

// Settling never gives up on a transient fault (the database): no attempt cap, a bounded backoff.
const settle = proxyActivities<MoveActivities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1s', maximumInterval: '1 minute' } });

/** moveVersion: copy and verify in the target, then switch atomically; a failure or cancel before the switch changes nothing. */
export async function storeMoveWorkflow(input: StoreMoveInput): Promise<void> {
  try {
    await copier.copyVersionToStore(input);
    await settle.switchVersionStore(input);
  } catch (error) {
    const cancelled = isCancellation(error);
    const message = cancelled ? 'move cancelled' : failureDetails(error).message;
    await CancellationScope.nonCancellable(() => settle.failStoreMove(input, message, cancelled));
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(message, 'STORE_MOVE_FAILED');
  }
}
