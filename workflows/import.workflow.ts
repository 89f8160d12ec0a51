import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { ImportWorkflowInput } from '../src/domain/onboarding/workflow-inputs';
import { failureDetails } from './failure-details';
import { runScan } from './scan.workflow';
import { retryingUnreachable, SOURCE_UNREACHABLE } from './source-retry';
import { stageOnAHost } from './stage-on-host';

// Bookkeeping settles state: it must never give up on a database or network outage, so there is no attempt
// cap, only a bounded backoff. Domain verdicts come back non-retryable and end the import instead.
// These activities heartbeat on a timer, so a worker that died mid-step is noticed within the heartbeat
// timeout rather than at the end of the start-to-close budget.
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Listing pages through the source (a hub repository may hold tens of thousands of files).
const LISTING = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const listing = proxyActivities<Activities>(LISTING);

// Byte transfer: one attempt may take hours; a silent worker is detected within the heartbeat timeout and the
// retry resumes from import_files and the staged bytes. WAIT_CANCELLATION_COMPLETED lets a cancelled copy stop
// cleanly. Capped: a source failing for a day is a failure to report, not a reason to wait forever.
const TRANSFER = {
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
} as const;
const transfer = proxyActivities<Activities>(TRANSFER);

// Since 'source-retry-budget': an unreachable source comes back to the workflow at once (retryingUnreachable shows
// each failure and retries within the external-source budget); every other failure keeps the policies above.
const LISTING_BUDGETED = { ...LISTING, retry: { ...LISTING.retry, nonRetryableErrorTypes: [SOURCE_UNREACHABLE] } };
const TRANSFER_BUDGETED = { ...TRANSFER, retry: { ...TRANSFER.retry, nonRetryableErrorTypes: [SOURCE_UNREACHABLE] } };
const listingBudgeted = proxyActivities<Activities>(LISTING_BUDGETED);

export interface ImportWorkflowResult {
  status: string;
  files: number;
  bytes: number;
}

/**
 * Import a version: list the source once (into the database, at a pinned revision), store its files, read their
 * metadata, scan them (ClamAV and the format scanners), then settle the lifecycle: VERIFIED needs a passing scan.
 * Payloads are ids and counts, so history stays a handful of events whatever the repository's size.
 */
export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportWorkflowResult> {
  const ids = { operationId: input.operationId, modelId: input.modelId, versionId: input.versionId };
  try {
    const budgeted = patched('source-retry-budget');
    const listed = budgeted ? await retryingUnreachable(ids, () => listingBudgeted.listSourceFiles(input)) : await listing.listSourceFiles(input);
    // Since 'stage-on-host': the download runs on one worker host's own queue, next to its staged bytes.
    const staged = patched('stage-on-host')
      ? await (budgeted ? stageOnAHost(input, TRANSFER_BUDGETED, (step) => retryingUnreachable(ids, step)) : stageOnAHost(input, TRANSFER))
      : await transfer.stageSourceFiles(input);
    const inspection = await bookkeeping.inspectArtifacts(ids);
    // Histories recorded before scanning existed replay without it; their completeImport then finds no scan and
    // settles NEEDS_ATTENTION (fail closed), so a retry of such an import is scanned.
    if (patched('scan-before-verify')) await runScan(ids, 'IMPORT');
    const status = await bookkeeping.completeImport(ids, inspection);
    return { status, files: listed.files, bytes: staged.bytes };
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => bookkeeping.cancelImport(ids));
      throw error;
    }
    const failure = failureDetails(error);
    await bookkeeping.failImport(ids, failure.code, failure.message);
    throw ApplicationFailure.nonRetryable(failure.message, failure.code);
  }
}
