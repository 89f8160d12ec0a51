import { proxyActivities } from '@temporalio/workflow';
import type { createUploadSweepActivities } from '../activities/upload-sweep.activities';
import type { UploadSweepInput, UploadSweepReport } from '../src/domain/storage/upload-sweep';

// No attempt cap: a database or bucket outage only delays the sweep, and the schedule skips overlapping runs.
const sweeper = proxyActivities<ReturnType<typeof createUploadSweepActivities>>({
  startToCloseTimeout: '1 hour',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** One pass over abandoned direct uploads, started by the `upload-sweep` Temporal schedule. */
export async function uploadSweepWorkflow(input: UploadSweepInput): Promise<UploadSweepReport> {
  return sweeper.sweepAbandonedUploads(input);
}
