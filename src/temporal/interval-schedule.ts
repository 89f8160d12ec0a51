import { Client, Connection, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config/config';

export type ScheduleOutcome = 'created' | 'updated' | 'deleted' | 'absent';

export interface IntervalSchedule {
  scheduleId: string;
  /** 0 deletes the schedule (unless `cron` is given). */
  everyMs: number;
  /** When given, wins over `everyMs`: the schedule runs at these cron times, and null deletes it. */
  cron?: string | null;
  workflowType: string;
  /** The id each run's workflow gets (one at a time: runs never overlap). */
  runWorkflowId: string;
  args: unknown[];
}

/**
 * Makes a Temporal schedule match the config, whichever worker starts first and however often: created when
 * missing, updated in place when present, deleted when the interval is 0. A run still going makes the next skip.
 */
export async function ensureIntervalSchedule(address: string, temporal: Config['temporal'], wanted: IntervalSchedule): Promise<ScheduleOutcome> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    const handle = client.schedule.getHandle(wanted.scheduleId);
    if (wanted.cron === undefined ? wanted.everyMs === 0 : wanted.cron === null) {
      try {
        await handle.delete();
        return 'deleted';
      } catch (error) {
        if (error instanceof ScheduleNotFoundError) return 'absent';
        throw error;
      }
    }
    const spec = wanted.cron ? { cronExpressions: [wanted.cron] } : { intervals: [{ every: wanted.everyMs }] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: wanted.workflowType,
      taskQueue: temporal.taskQueue,
      args: wanted.args,
      workflowId: wanted.runWorkflowId,
    };
    try {
      await client.schedule.create({
        scheduleId: wanted.scheduleId,
        spec,
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      });
      return 'created';
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
    await handle.update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  } finally {
    await connection.close();
  }
}
