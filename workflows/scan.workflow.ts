import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { RescanReport } from '../activities/scan-activities';
import type { ScanIds, ScanSource, ScanSummary, ScanWorkflowInput } from '../src/domain/scanning/scan-inputs';
import { failureDetails } from './failure-details';

// Settling and planning: never give up on a database outage (no attempt cap, bounded backoff).
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Reading every file of a version through both scanners may take hours. clamd down or unreachable is transient:
// retried without a cap (an unscanned version waits; it is never passed). A retry resumes at the first file still
// SCANNING. Heartbeats arrive on a timer, so a dead worker is noticed within the heartbeat timeout.
const scanning = proxyActivities<Activities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

/** Begin, scan, finish: the steps an import and a rescan share. */
export async function runScan(ids: ScanIds, source: ScanSource): Promise<ScanSummary> {
  const begun = await bookkeeping.beginScan(ids, source);
  await scanning.scanFiles(begun.scanResultId);
  return bookkeeping.finishScan(begun.scanResultId);
}

/** A rescan of a version's stored files (scanVersion, scanModel, the rescan schedule), on its SCAN operation. */
export async function scanWorkflow(input: ScanWorkflowInput): Promise<ScanSummary> {
  try {
    const summary = await runScan(input, 'RESCAN');
    await bookkeeping.completeScan(input, summary);
    return summary;
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => bookkeeping.cancelScan(input));
      throw error;
    }
    const failure = failureDetails(error);
    await bookkeeping.failScan(input, failure.code, failure.message);
    throw ApplicationFailure.nonRetryable(failure.message, failure.code);
  }
}

/** One run of the rescan schedule: starts rescans of versions scanned with older rules or clamd signatures. */
export async function rescanOutdatedWorkflow(input: { batch: number }): Promise<RescanReport> {
  return bookkeeping.rescanOutdated(input.batch);
}
