import type { ImportSource } from './import-source';

/** Workflow arguments: plain JSON, shared by the services that start workflows and the workflows themselves. */
export interface ImportWorkflowInput {
  operationId: string;
  modelId: string;
  versionId: string;
  source: ImportSource;
}

export interface LocalCacheWorkflowInput {
  operationId: string;
  modelId: string;
  cacheId: string;
  versionId: string;
}

export interface EvictCacheWorkflowInput {
  cacheId: string;
  /** The task queue of the host whose disk holds the cache. */
  hostTaskQueue: string;
}
