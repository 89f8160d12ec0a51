import type { Logger } from 'pino';
import { createActivities } from '../activities/create-activities';
import type { Runtime } from './runtime';
import { createWorker } from './temporal/worker-factory';

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
  log.info({ taskQueue: runtime.config.temporal.taskQueue }, 'worker polling');
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
