/** The blob collector's workflow input (set by the schedule from BLOB_GC_GRACE_MS). */
export interface BlobGcInput {
  /** Unreferenced blobs written or reused more recently than this are kept. */
  graceMs: number;
  /** Only this store (after a move frees its old copy); absent, every registered store. */
  storeId?: string;
}

/** What one collection pass found and did; the workflow's result, visible in Temporal UI. */
export interface BlobGcReport {
  scanned: number;
  referenced: number;
  /** Unreferenced, but written or reused within the grace period (an import may be about to reference it). */
  young: number;
  deleted: number;
  bytesFreed: number;
}
