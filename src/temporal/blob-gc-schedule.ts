import type { Config } from '../config/config';
import type { BlobGcInput } from '../domain/storage/blob-gc';
import { ensureIntervalSchedule, type ScheduleOutcome } from './interval-schedule';

export const BLOB_GC_WORKFLOW_TYPE = 'blobGcWorkflow';

/** One schedule per task queue, so two deployments sharing a namespace do not collect each other's stores. */
export function blobGcScheduleId(taskQueue: string): string {
  return `blob-gc:${taskQueue}`;
}

export type { ScheduleOutcome };

/**
 * The blob collector's schedule, as the config says: every BLOB_GC_INTERVAL_MS (0 removes it), each run
 * collecting blobs unreferenced for longer than the grace period.
 */
export function ensureBlobGcSchedule(address: string, temporal: Config['temporal'], gc: Pick<Config['gc'], 'blobIntervalMs' | 'blobGraceMs'>): Promise<ScheduleOutcome> {
  const input: BlobGcInput = { graceMs: gc.blobGraceMs };
  return ensureIntervalSchedule(address, temporal, {
    scheduleId: blobGcScheduleId(temporal.taskQueue),
    everyMs: gc.blobIntervalMs,
    workflowType: BLOB_GC_WORKFLOW_TYPE,
    runWorkflowId: `blob-gc-run:${temporal.taskQueue}`,
    args: [input],
  });
}
