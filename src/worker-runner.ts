import type { Logger } from 'pino';
import { createActivities } from '../activities/create-activities';
import type { Runtime } from './runtime';
import { createWorker } from './temporal/worker-factory';
import { scheduleRescans } from './temporal/rescan-schedule';

export interface RunningWorker {
  /** Resolves when the worker has drained and stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(runtime: Runtime, log: Logger, workflowBundlePath?: string): Promise<RunningWorker> {
  const { services } = runtime;
  const { worker, connection } = await createWorker({
    address: runtime.temporalAddress,
    temporal: runtime.config.temporal,
    activities: createActivities(services),
    workflowBundlePath,
  });
  const done = worker.run().finally(() => connection.close());
  scheduleRescans(runtime.temporalAddress, runtime.config, log);
  log.info({ taskQueue: runtime.config.temporal.taskQueue }, 'worker polling');
  const reconciling = startReconciler(runtime, log);
  return {
    done,
    async stop() {
      if (reconciling) clearInterval(reconciling);
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** Settles operations whose workflow closed without settling them; every worker runs it (settling is idempotent). */
function startReconciler(runtime: Runtime, log: Logger): NodeJS.Timeout | null {
  const every = runtime.config.reconcileIntervalMs;
  if (every === 0) return null;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    runtime.services.reconciler
      .runOnce()
      .then((report) => {
        if (report.settled.length > 0) log.warn({ settled: report.settled }, 'reconciler settled operations whose workflow had closed');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'reconciler run failed; retrying on the next tick'))
      .finally(() => {
        busy = false;
      });
  }, every);
  timer.unref();
  return timer;
}
