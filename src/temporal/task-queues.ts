/** Workflow type names, as registered by the worker (exported function names in workflows/). */
export const WORKFLOW_TYPES = {
  import: 'importWorkflow',
  localCache: 'localCacheWorkflow',
  storeMove: 'storeMoveWorkflow',
  scan: 'scanWorkflow',
  rescanOutdated: 'rescanOutdatedWorkflow',
  evictCache: 'evictCacheWorkflow',
  benchmark: 'benchmarkWorkflow',
  evaluation: 'evaluationWorkflow',
  refreshReportedScores: 'refreshReportedScoresWorkflow',
  webhookDelivery: 'webhookDeliveryWorkflow',
} as const;

export { hostTaskQueue } from '../domain/onboarding/host-queue';
