import { proxyActivities } from '@temporalio/workflow';
import type { createBlobGcActivities } from '../activities/blob-gc.activities';
import type { BlobGcInput, BlobGcReport } from '../src/domain/storage/blob-gc';

// Listing a large store takes a while; the activity heartbeats after every batch, so a dead worker is noticed
// within the heartbeat timeout and the next attempt starts over (deleting is idempotent). No attempt cap: a
// database outage only delays collection, and the schedule skips runs that would overlap this one.
const collector = proxyActivities<ReturnType<typeof createBlobGcActivities>>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** One garbage-collection pass over the artifact store, started by the `blob-gc` Temporal schedule. */
export async function blobGcWorkflow(input: BlobGcInput): Promise<BlobGcReport> {
  return collector.collectUnreferencedBlobs(input);
}
