import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { RunIds } from '../src/domain/benchmarking/run-ids';
import { failureDetails } from './failure-details';

const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A sweep may run for hours. The short heartbeat timeout is what makes a cancel reach the load quickly (the SDK
// forwards heartbeats, and with them the cancel, at most every 80% of it). A lost worker is retried a few
// times: a rerun repeats the whole sweep, since half a sweep on another worker would not be comparable.
const load = proxyActivities<Activities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '3 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

/** runBenchmark: a load-generator sweep against the endpoint serving the version, settled on its operation. */
export async function benchmarkWorkflow(input: RunIds): Promise<string> {
  try {
    return await load.runBenchmarkLoad(input);
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => bookkeeping.cancelBenchmark(input));
      throw error;
    }
    const failure = failureDetails(error);
    await bookkeeping.failBenchmark(input, failure.code, failure.message);
    throw ApplicationFailure.nonRetryable(failure.message, failure.code);
  }
}
