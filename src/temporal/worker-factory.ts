import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import type { Activities } from '../../activities/create-activities';
import { activeTracing } from '../observability/tracing-state';
import { activityMetricsInterceptor, workflowMetricsSinks } from '../observability/worker-metrics';
import { hostTaskQueue } from './task-queues';
import { workflowInterceptorModules } from './workflow-interceptors';

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

const HEARTBEAT_THROTTLE = '500 milliseconds';

/** The shared worker and this host's own: run, stop and report as one. */
export type HostWorkers = Pick<Worker, 'run' | 'shutdown' | 'getState'>;

/**
 * Two Temporal workers on one connection: one on the shared task queue (workflows and every activity) and one on
 * this host's own queue (`<taskQueue>@<hostId>`, activities only), where work that needs this host's disk is sent.
 */
export async function createWorker(options: WorkerOptions): Promise<{ worker: HostWorkers; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  const tracing = activeTracing();
  // Metrics always; tracing's interceptors and workflow span sink only when it is on (nothing of OpenTelemetry otherwise).
  const activity = [activityMetricsInterceptor, ...(tracing?.activityInterceptors ?? [])];
  const sinks = { ...workflowMetricsSinks, ...(tracing?.sinks ?? {}) };
  const shared = await Worker.create({
    connection,
    namespace: options.temporal.namespace,
    taskQueue: options.temporal.taskQueue,
    activities: options.activities,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../../workflows') }),
    interceptors: { activity, ...(options.workflowBundlePath ? {} : { workflowModules: workflowInterceptorModules(tracing !== null) }) },
    sinks,
    // Byte transfers are I/O bound; a few at once keep a 2-core worker busy without thrashing the disk.
    maxConcurrentActivityTaskExecutions: 8,
    // A cancel reaches an activity only in the answer to a heartbeat, and heartbeats go out at most every
    // min(80% of the heartbeat timeout, this): a cancelled benchmark stops its load within about this long.
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    shutdownGraceTime: options.shutdownGraceMs ?? 0,
    ...(options.shutdownForceMs ? { shutdownForceTime: options.shutdownForceMs } : {}),
  });
  const host = await Worker.create({
    connection,
    namespace: options.temporal.namespace,
    taskQueue: hostTaskQueue(options.temporal),
    activities: options.activities,
    interceptors: { activity },
    maxConcurrentActivityTaskExecutions: 8,
    // A cancel reaches an activity only in the answer to a heartbeat, and heartbeats go out at most every
    // min(80% of the heartbeat timeout, this): a cancelled benchmark stops its load within about this long.
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    shutdownGraceTime: options.shutdownGraceMs ?? 0,
    ...(options.shutdownForceMs ? { shutdownForceTime: options.shutdownForceMs } : {}),
  });
  const worker: HostWorkers = {
    run: async () => {
      await Promise.all([shared.run(), host.run()]);
    },
    shutdown: () => {
      for (const w of [shared, host]) if (w.getState() === 'RUNNING') w.shutdown();
    },
    getState: () => shared.getState(),
  };
  return { worker, connection };
}
