import { ActivityFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { ImportWorkflowInput } from '../src/domain/onboarding/workflow-inputs';

const claiming = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How many hosts an import tries before it reports that none would take its download. */
const MAX_HOSTS = 5;

/**
 * Staged bytes live on one worker host's disk, so the download runs on that host's own task queue: a retry after
 * a crash lands on the same host and resumes from its staged bytes. A host that does not come back within the
 * schedule-to-start timeout is given up; another host claims the download and continues from what is already
 * stored (import_files), starting the partial files over.
 */
export async function stageOnAHost(
  input: ImportWorkflowInput,
  transfer: Parameters<typeof proxyActivities>[0],
  // Wraps the download on the claimed host (retries of an unreachable source stay on that host and its staging).
  around: <T>(step: () => Promise<T>) => Promise<T> = (step) => step(),
): Promise<{ files: number; bytes: number }> {
  for (let attempt = 1; ; attempt++) {
    const hostQueue = await claiming.claimStagingHost(input);
    const onHost = proxyActivities<Activities>({ ...transfer, taskQueue: hostQueue, scheduleToStartTimeout: '5 minutes' });
    try {
      return await around(() => onHost.stageSourceFiles(input));
    } catch (error) {
      if (attempt >= MAX_HOSTS || !hostGone(error)) throw error;
    }
  }
}

function hostGone(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && error.cause.timeoutType === 'SCHEDULE_TO_START';
}
