import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { ensureIntervalSchedule, type ScheduleOutcome } from './interval-schedule';
import { WORKFLOW_TYPES } from './task-queues';

/** One schedule per task queue, so deployments sharing a namespace rescan only their own versions. */
export function rescanScheduleId(taskQueue: string): string {
  return `rescan-outdated:${taskQueue}`;
}

export type RescanScheduleOutcome = ScheduleOutcome;

/**
 * The rescan schedule, as the config says (RESCAN_INTERVAL_MS, 0 removes it; RESCAN_BATCH): each run starts
 * rescans of versions whose latest scan used older format rules or clamd signatures than the worker sees now.
 */
export function ensureRescanSchedule(address: string, temporal: Config['temporal'], scanning: Config['scanning']): Promise<RescanScheduleOutcome> {
  return ensureIntervalSchedule(address, temporal, {
    scheduleId: rescanScheduleId(temporal.taskQueue),
    everyMs: scanning.rescanIntervalMs,
    workflowType: WORKFLOW_TYPES.rescanOutdated,
    runWorkflowId: `rescan-outdated-run:${temporal.taskQueue}`,
    args: [{ batch: scanning.rescanBatch }],
  });
}

/** From a worker's start: in the background, logged; tests (interval 0 by default) make no call at all. */
export function scheduleRescans(address: string, config: Config, log: Logger): void {
  if (config.env === 'test' && config.scanning.rescanIntervalMs === 0) return;
  ensureRescanSchedule(address, config.temporal, config.scanning).then(
    (outcome) => log.info({ outcome, everyMs: config.scanning.rescanIntervalMs }, `rescan schedule ${outcome}`),
    (error: unknown) => log.warn({ err: error }, 'could not create the rescan schedule; the next worker start tries again'),
  );
}
