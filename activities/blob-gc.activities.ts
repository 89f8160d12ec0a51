import { Context } from '@temporalio/activity';
import type { BlobGcService } from '../src/services/blob-gc.service';
import type { BlobGcInput, BlobGcReport } from '../src/domain/storage/blob-gc';
import { actingAs } from './activity-caller';

/** The collector's one activity: heartbeats the report after each batch, so a dead worker is noticed within a minute. */
export function createBlobGcActivities({ blobGc }: { blobGc: BlobGcService }) {
  return {
    collectUnreferencedBlobs(input: BlobGcInput): Promise<BlobGcReport> {
      const ctx = Context.current();
      ctx.heartbeat();
      return blobGc.collect(actingAs('blob collector'), { graceMs: input.graceMs, storeId: input.storeId, onProgress: (report) => ctx.heartbeat(report), signal: ctx.cancellationSignal });
    },
  };
}
