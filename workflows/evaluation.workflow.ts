import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { RunIds } from '../src/domain/benchmarking/run-ids';
import { failureDetails } from './failure-details';

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A suite may take hours against a slow endpoint; the short heartbeat timeout lets a cancel reach it quickly.
// A lost worker reruns the suite (scores are only written whole), a few times at most.
const scoring = proxyActivities<Activities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '3 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

/** runEvaluation: the suite's tasks against the endpoint serving the version, settled on its operation. */
export async function evaluationWorkflow(input: RunIds): Promise<string> {
  try {
    return await scoring.runEvaluationSuite(input);
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => bookkeeping.cancelEvaluation(input));
      throw error;
    }
    const failure = failureDetails(error);
    await bookkeeping.failEvaluation(input, failure.code, failure.message);
    throw ApplicationFailure.nonRetryable(failure.message, failure.code);
  }
}
