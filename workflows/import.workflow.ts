import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { ManifestEntry } from '../src/domain/onboarding/manifest';
import type { ImportWorkflowInput } from '../src/domain/onboarding/workflow-inputs';
import { failureDetails } from './failure-details';

// Bookkeeping: short, retried a few times (database blips), never heartbeating.
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

// Byte transfer: one attempt may take hours; a silent worker is detected within the heartbeat timeout and
// the retry resumes from the staged bytes. WAIT_CANCELLATION_COMPLETED lets a cancelled copy stop cleanly.
const transfer = proxyActivities<Activities>({
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
});

export interface ImportWorkflowResult {
  status: string;
  files: number;
  bytes: number;
}

/** Import a version: list the source, stage and store each file, read metadata, then settle the lifecycle. */
export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportWorkflowResult> {
  const ids = { operationId: input.operationId, modelId: input.modelId, versionId: input.versionId };
  try {
    const files = await bookkeeping.listSourceFiles(input);
    const bytesTotal = files.reduce((n, f) => n + (f.size ?? 0), 0);
    const manifest: ManifestEntry[] = [];
    let bytesBefore = 0;
    for (const file of files) {
      const entry = await transfer.stageSourceFile({ input, file, bytesBefore, bytesTotal });
      manifest.push(entry);
      bytesBefore += entry.size;
    }
    const inspection = await bookkeeping.inspectArtifacts(manifest);
    const status = await bookkeeping.completeImport(ids, manifest, inspection);
    return { status, files: manifest.length, bytes: bytesBefore };
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
