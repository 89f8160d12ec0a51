import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/create-activities';
import type { EvictCacheWorkflowInput } from '../src/domain/onboarding/workflow-inputs';

/** Evict a local cache on the host whose disk holds it (its own task queue); the caller waits for the answer. */
export async function evictCacheWorkflow(input: EvictCacheWorkflowInput): Promise<void> {
  const onHost = proxyActivities<Activities>({
    taskQueue: input.hostTaskQueue,
    // The API request waits: a host that does not pick the eviction up soon is reported, not waited on.
    scheduleToStartTimeout: '30 seconds',
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1s', maximumInterval: '10 seconds', maximumAttempts: 5 },
  });
  await onHost.evictCache(input.cacheId);
}
