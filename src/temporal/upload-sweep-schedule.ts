import type { Config } from '../config/config';
import type { UploadSweepInput } from '../domain/storage/upload-sweep';
import { ensureIntervalSchedule, type ScheduleOutcome } from './interval-schedule';

export const UPLOAD_SWEEP_WORKFLOW_TYPE = 'uploadSweepWorkflow';

/** One schedule per task queue, like the blob collector's. */
export function uploadSweepScheduleId(taskQueue: string): string {
  return `upload-sweep:${taskQueue}`;
}

/** The upload sweeper's schedule: every UPLOAD_SWEEP_INTERVAL_MS (0 removes it), sweeping what expired UPLOAD_SWEEP_GRACE_MS ago. */
export function ensureUploadSweepSchedule(address: string, temporal: Config['temporal'], gc: Pick<Config['gc'], 'uploadSweepIntervalMs' | 'uploadSweepGraceMs'>): Promise<ScheduleOutcome> {
  const input: UploadSweepInput = { graceMs: gc.uploadSweepGraceMs };
  return ensureIntervalSchedule(address, temporal, {
    scheduleId: uploadSweepScheduleId(temporal.taskQueue),
    everyMs: gc.uploadSweepIntervalMs,
    workflowType: UPLOAD_SWEEP_WORKFLOW_TYPE,
    runWorkflowId: `upload-sweep-run:${temporal.taskQueue}`,
    args: [input],
  });
}
