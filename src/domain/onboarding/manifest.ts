import type { ArtifactFormat } from '../artifacts/artifact-format';

/** One file of a version: where it sits in the repository and which stored blob holds its bytes. */
export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
  format: ArtifactFormat;
}

export enum CacheState {
  PENDING = 'PENDING',
  MATERIALIZING = 'MATERIALIZING',
  READY = 'READY',
  FAILED = 'FAILED',
  EVICTED = 'EVICTED',
}

export interface LocalCacheRecord {
  id: string;
  versionId: string;
  modelId: string;
  path: string;
  state: CacheState;
  bytes: bigint;
  /** The worker host whose disk holds it (null until a worker claimed it). */
  host: string | null;
  hostTaskQueue: string | null;
  operationId: string | null;
  errorMessage: string | null;
  createdBy: string;
  createdAt: Date;
  readyAt: Date | null;
  evictedAt: Date | null;
}
