import { Client, Connection, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { WORKFLOW_TYPES } from './task-queues';

/** One schedule per task queue, so deployments sharing a namespace rescan only their own versions. */
export function rescanScheduleId(taskQueue: string): string {
  return `rescan-outdated:${taskQueue}`;
}

export type RescanScheduleOutcome = 'created' | 'updated' | 'deleted' | 'absent';

/**
 * Makes the rescan schedule match the config (RESCAN_INTERVAL_MS, RESCAN_BATCH): each run starts rescans of
 * versions whose latest scan used older format rules or clamd signatures than the worker sees now. Created when
 * missing, updated in place, deleted when the interval is 0; runs never overlap.
 */
export async function ensureRescanSchedule(address: string, temporal: Config['temporal'], scanning: Config['scanning']): Promise<RescanScheduleOutcome> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: temporal.namespace });
    const scheduleId = rescanScheduleId(temporal.taskQueue);
    if (scanning.rescanIntervalMs === 0) {
      try {
        await client.schedule.getHandle(scheduleId).delete();
        return 'deleted';
      } catch (error) {
        if (error instanceof ScheduleNotFoundError) return 'absent';
        throw error;
      }
    }
    const spec = { intervals: [{ every: scanning.rescanIntervalMs }] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: WORKFLOW_TYPES.rescanOutdated,
      taskQueue: temporal.taskQueue,
      args: [{ batch: scanning.rescanBatch }],
      workflowId: `rescan-outdated-run:${temporal.taskQueue}`,
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

/** From a worker's start: in the background, logged; tests (interval 0 by default) make no call at all. */
export function scheduleRescans(address: string, config: Config, log: Logger): void {
  if (config.env === 'test' && config.scanning.rescanIntervalMs === 0) return;
  ensureRescanSchedule(address, config.temporal, config.scanning).then(
    (outcome) => log.info({ outcome, everyMs: config.scanning.rescanIntervalMs }, `rescan schedule ${outcome}`),
    (error: unknown) => log.warn({ err: error }, 'could not create the rescan schedule; the next worker start tries again'),
  );
}
