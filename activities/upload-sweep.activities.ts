import { Context } from '@temporalio/activity';
import type { UploadSweepInput, UploadSweepReport } from '../src/domain/storage/upload-sweep';
import type { UploadSweepService } from '../src/services/storage/upload-sweep.service';
import { actingAs } from './activity-caller';

/** The upload sweeper's one activity (aborting and deleting are idempotent: a retried pass repeats nothing harmful). */
export function createUploadSweepActivities({ uploadSweeper }: { uploadSweeper: UploadSweepService }) {
  return {
    sweepAbandonedUploads(input: UploadSweepInput): Promise<UploadSweepReport> {
      const ctx = Context.current();
      ctx.heartbeat();
      return uploadSweeper.sweep(actingAs('upload sweeper'), { graceMs: input.graceMs, signal: ctx.cancellationSignal });
    },
  };
}
