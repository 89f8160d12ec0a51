import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { ensureIntervalSchedule, type ScheduleOutcome } from './interval-schedule';
import { WORKFLOW_TYPES } from './task-queues';

/** One schedule per task queue, so deployments sharing a namespace refresh only their own catalog. */
export function reportedScoresScheduleId(taskQueue: string): string {
  return `reported-scores-refresh:${taskQueue}`;
}

/** The workflow id of the schedule's runs (Temporal appends each run's start time); runs never overlap: a trigger during one is skipped. */
export function reportedScoresRunId(taskQueue: string): string {
  return `reported-scores-refresh-run:${taskQueue}`;
}

/**
 * The refresh schedule, as the config says (REPORTED_SCORES_REFRESH_CRON, `off` removes it): each run re-reads
 * the model cards of Hugging Face models and replaces their REPORTED scores where the card's model-index changed.
 */
export function ensureReportedScoresSchedule(address: string, temporal: Config['temporal'], reported: Config['reportedScores']): Promise<ScheduleOutcome> {
  return ensureIntervalSchedule(address, temporal, {
    scheduleId: reportedScoresScheduleId(temporal.taskQueue),
    everyMs: 0,
    cron: reported.refreshCron,
    workflowType: WORKFLOW_TYPES.refreshReportedScores,
    runWorkflowId: reportedScoresRunId(temporal.taskQueue),
    args: [{ batch: reported.refreshBatch }],
  });
}

/** From a worker's start: in the background, logged; tests (off by default) make no call at all. */
export function scheduleReportedScoresRefresh(address: string, config: Config, log: Logger): void {
  if (config.env === 'test' && config.reportedScores.refreshCron === null) return;
  ensureReportedScoresSchedule(address, config.temporal, config.reportedScores).then(
    (outcome) => log.info({ outcome, cron: config.reportedScores.refreshCron }, `reported-scores refresh schedule ${outcome}`),
    (error: unknown) => log.warn({ err: error }, 'could not create the reported-scores refresh schedule; the next worker start tries again'),
  );
}
