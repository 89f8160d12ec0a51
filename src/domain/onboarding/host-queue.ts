/**
 * A worker host's own task queue: activities sent there run on that host, next to its disk (Temporal's
 * worker-specific task queue pattern).
 */
export function hostTaskQueue(temporal: { taskQueue: string; hostId: string }): string {
  return `${temporal.taskQueue}@${temporal.hostId}`;
}
