import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import type { Activities } from '../../activities/create-activities';

export interface WorkerOptions {
  address: string;
  temporal: Config['temporal'];
  activities: Activities;
  /** A prebuilt workflow bundle (tests build it once per run); default: bundle workflows/ at start. */
  workflowBundlePath?: string;
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
  });
  return { worker, connection };
}
