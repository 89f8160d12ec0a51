import { Client, Connection, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config/config';
import type { BlobGcInput } from '../domain/storage/blob-gc';

export const BLOB_GC_WORKFLOW_TYPE = 'blobGcWorkflow';

/** One schedule per task queue, so two deployments sharing a namespace do not collect each other's stores. */
export function blobGcScheduleId(taskQueue: string): string {
  return `blob-gc:${taskQueue}`;
}

export type ScheduleOutcome = 'created' | 'updated' | 'deleted' | 'absent';

/**
 * Makes the blob collector's Temporal schedule match the config, whichever worker starts first and however
 * often: created when missing, updated in place when present (interval or grace changed), deleted when the
 * interval is 0. Runs never overlap (a pass still running makes the next one skip).
 */
export async function ensureBlobGcSchedule(address: string, temporal: Config['temporal'], gc: Config['gc']): Promise<ScheduleOutcome> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    const scheduleId = blobGcScheduleId(temporal.taskQueue);
    if (gc.blobIntervalMs === 0) {
      try {
        await client.schedule.getHandle(scheduleId).delete();
        return 'deleted';
      } catch (error) {
        if (error instanceof ScheduleNotFoundError) return 'absent';
        throw error;
      }
    }
    const input: BlobGcInput = { graceMs: gc.blobGraceMs };
    const spec = { intervals: [{ every: gc.blobIntervalMs }] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: BLOB_GC_WORKFLOW_TYPE,
      taskQueue: temporal.taskQueue,
      args: [input],
      workflowId: `blob-gc-run:${temporal.taskQueue}`,
    };
    try {
      await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } });
      return 'created';
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  } finally {
    await connection.close();
  }
}
