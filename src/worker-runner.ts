import type { Logger } from 'pino';
import { createActivities } from '../activities/create-activities';
import { systemCaller } from './domain/auth/caller';
import { RECONCILER } from './services/operation-reconciler.service';
import type { Runtime } from './runtime';
import { ensureBlobGcSchedule } from './temporal/blob-gc-schedule';
import { ensureUploadSweepSchedule } from './temporal/upload-sweep-schedule';
import { createWorker } from './temporal/worker-factory';
import { scheduleRescans } from './temporal/rescan-schedule';
import { scheduleReportedScoresRefresh } from './temporal/reported-scores-schedule';
import { type RunningDispatcher, startWebhookDispatcher } from './services/webhooks/webhook-dispatcher';

export interface RunningWorker {
  /** Resolves when the worker has drained and stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerRunOptions {
  workflowBundlePath?: string;
  /** Create or update the blob collector's and upload sweeper's schedules (default: outside NODE_ENV=test, whose many task queues share a namespace). */
  schedule?: boolean;
}

const STAGING_SWEEP_EVERY_MS = 60 * 60 * 1000;

export async function startWorker(runtime: Runtime, log: Logger, workflowBundlePath?: string, options: WorkerRunOptions = {}): Promise<RunningWorker> {
  const { services, config } = runtime;
  const shutdown = shutdownBudget(config.shutdownTimeoutMs);
  const { worker, connection } = await createWorker({
    address: runtime.temporalAddress,
    temporal: config.temporal,
    activities: createActivities(services),
    workflowBundlePath: workflowBundlePath ?? options.workflowBundlePath,
    shutdownGraceMs: shutdown.graceMs,
    shutdownForceMs: shutdown.forceMs,
  });
  const done = worker.run().finally(() => connection.close());
  scheduleRescans(runtime.temporalAddress, runtime.config, log);
  scheduleReportedScoresRefresh(runtime.temporalAddress, runtime.config, log);
  log.info({ taskQueue: config.temporal.taskQueue }, 'worker polling');
  if (options.schedule ?? config.env !== 'test') {
    ensureBlobGcSchedule(runtime.temporalAddress, config.temporal, config.gc).then(
      (outcome) => log.info({ outcome, everyMs: config.gc.blobIntervalMs, graceMs: config.gc.blobGraceMs }, `blob collector schedule ${outcome}`),
      (error: unknown) => log.warn({ err: error }, 'could not create the blob collector schedule; the next worker start tries again'),
    );
    ensureUploadSweepSchedule(runtime.temporalAddress, config.temporal, config.gc).then(
      (outcome) => log.info({ outcome, everyMs: config.gc.uploadSweepIntervalMs, graceMs: config.gc.uploadSweepGraceMs }, `upload sweeper schedule ${outcome}`),
      (error: unknown) => log.warn({ err: error }, 'could not create the upload sweeper schedule; the next worker start tries again'),
    );
  }
  const timers = [startReconciler(runtime, log), startStagingSweeper(runtime, log)].filter((t): t is NodeJS.Timeout => t !== null);
  const dispatcher: RunningDispatcher | null = config.webhooks.dispatch
    ? startWebhookDispatcher(services.webhookDeliveries, runtime.database.url, config.webhooks.dispatchIntervalMs, log)
    : null;
  return {
    done,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await dispatcher?.stop();
      if (worker.getState() === 'RUNNING') {
        log.info({ graceMs: shutdown.graceMs }, 'worker stopping: running activities get the grace period, then are handed back to Temporal');
        worker.shutdown();
      }
      await done;
    },
  };
}

/**
 * Of the process's shutdown time, activities get a third to finish (bookkeeping steps take seconds); then they
 * are cancelled, and their attempt fails so Temporal gives it to another worker at once (transfers resume from
 * the staged bytes). Past two thirds the worker stops waiting for activities that ignore cancellation.
 */
function shutdownBudget(timeoutMs: number): { graceMs: number; forceMs: number } {
  return { graceMs: Math.floor(timeoutMs / 3), forceMs: Math.floor((timeoutMs * 2) / 3) };
}

/** Settles operations whose workflow closed without settling them; every worker runs it (settling is idempotent). */
function startReconciler(runtime: Runtime, log: Logger): NodeJS.Timeout | null {
  const every = runtime.config.reconcileIntervalMs;
  if (every === 0) return null;
  log.info({ caller: RECONCILER.subject, everyMs: every }, 'reconciler acts as the system');
  return everyInterval(every, async () => {
    try {
      const report = await runtime.services.reconciler.runOnce();
      if (report.settled.length > 0) log.warn({ settled: report.settled }, 'reconciler settled operations whose workflow had closed');
    } catch (error) {
      log.warn({ err: error }, 'reconciler run failed; retrying on the next tick');
    }
  });
}

/** Staging is this host's disk: each worker removes what dead attempts left there, at start and hourly. */
function startStagingSweeper(runtime: Runtime, log: Logger): NodeJS.Timeout {
  const sweeper = systemCaller('staging sweeper');
  log.info({ caller: sweeper.subject, everyMs: STAGING_SWEEP_EVERY_MS }, 'staging sweeper acts as the system');
  const sweep = async () => {
    try {
      const { stagingDir } = runtime.config.artifacts;
      const report = await runtime.services.blobGc.cleanStaging(sweeper, stagingDir, runtime.config.gc.stagingGraceMs);
      if (report.removedFiles > 0 || report.removedFolders > 0) log.info({ ...report, stagingDir }, 'removed staging left by dead attempts');
    } catch (error) {
      log.warn({ err: error }, 'staging sweep failed; retrying on the next tick');
    }
  };
  void sweep();
  return everyInterval(STAGING_SWEEP_EVERY_MS, sweep);
}

function everyInterval(ms: number, work: () => Promise<void>): NodeJS.Timeout {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void work().finally(() => {
      busy = false;
    });
  }, ms);
  timer.unref();
  return timer;
}
