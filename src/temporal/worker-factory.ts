import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import type { Activities } from '../../activities/create-activities';

export interface WorkerOptions {
  address: string;
  temporal: Config['temporal'];
  activities: Activities;
  /** A prebuilt workflow bundle (tests build it once per run); default: bundle workflows/ at start. */
  workflowBundlePath?: string;
  /** On shutdown: how long running activities may finish before they are cancelled and handed back to Temporal. */
  shutdownGraceMs?: number;
  /** On shutdown: when the worker gives up on activities that ignore cancellation. */
  shutdownForceMs?: number;
}

export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.temporal.namespace,
    taskQueue: options.temporal.taskQueue,
    activities: options.activities,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../../workflows') }),
    // Byte transfers are I/O bound; a few at once keep a 2-core worker busy without thrashing the disk.
    maxConcurrentActivityTaskExecutions: 8,
    shutdownGraceTime: options.shutdownGraceMs ?? 0,
    ...(options.shutdownForceMs ? { shutdownForceTime: options.shutdownForceMs } : {}),
  });
  return { worker, connection };
}
