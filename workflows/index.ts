export { importWorkflow } from './import.workflow';
export { localCacheWorkflow } from './local-cache.workflow';
export { rescanOutdatedWorkflow, scanWorkflow } from './scan.workflow';
export { evictCacheWorkflow } from './evict-cache.workflow';
export { blobGcWorkflow } from './blob-gc.workflow';
export { storeMoveWorkflow } from './store-move.workflow';
export { benchmarkWorkflow } from './benchmark.workflow';
export { evaluationWorkflow } from './evaluation.workflow';
export { refreshReportedScoresWorkflow } from './reported-scores.workflow';
