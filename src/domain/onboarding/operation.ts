export enum OperationKind {
  IMPORT = 'IMPORT',
  LOCAL_CACHE = 'LOCAL_CACHE',
  /** A rescan of a version's files (an import's own scan reports on the import's operation). */
  SCAN = 'SCAN',
  /** A load-generator sweep against an endpoint serving the version. */
  BENCHMARK = 'BENCHMARK',
  /** An evaluation suite run against an endpoint serving the version. */
  EVALUATION = 'EVALUATION',
  /** A version's files copied to another artifact store, verified there, then switched to it. */
  STORE_MOVE = 'STORE_MOVE',
}

export enum OperationStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set([
  OperationStatus.SUCCEEDED,
  OperationStatus.FAILED,
  OperationStatus.CANCELLED,
]);

export interface OperationRecord {
  id: string;
  kind: OperationKind;
  modelId: string;
  versionId: string | null;
  workflowId: string;
  status: OperationStatus;
  progress: number;
  bytesDone: bigint;
  bytesTotal: bigint | null;
  currentStep: string | null;
  message: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  sequence: number;
  /** The immutable source revision the import was listed at (a Hugging Face commit sha). */
  sourceRevision: string | null;
  input: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

/** Deterministic workflow ids from business keys, so a retried request never starts a twin. */
export const workflowIds = {
  import: (versionId: string) => `import:${versionId}`,
  localCache: (cacheId: string) => `local-cache:${cacheId}`,
  scan: (versionId: string) => `scan:${versionId}`,
  evictCache: (cacheId: string) => `evict-cache:${cacheId}`,
  // One at a time per version: two sweeps against the same endpoint would measure each other.
  benchmark: (versionId: string) => `benchmark:${versionId}`,
  evaluation: (versionId: string) => `evaluation:${versionId}`,
  // One move at a time per version: a second request joins the running one (or is a CONFLICT for another target).
  storeMove: (versionId: string) => `store-move:${versionId}`,
};

/** Still to be settled: the only states a settling step may act on. */
export function isLive(status: OperationStatus): boolean {
  return status === OperationStatus.PENDING || status === OperationStatus.RUNNING;
}
