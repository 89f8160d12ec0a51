/** The upload sweeper's workflow input (set by the schedule from UPLOAD_SWEEP_GRACE_MS). */
export interface UploadSweepInput {
  /** Uploads and tickets are swept this long after they expired (a completion may still come meanwhile). */
  graceMs: number;
}

/** What one sweep found and removed; the workflow's result, visible in Temporal UI. */
export interface UploadSweepReport {
  /** S3 multipart uploads never completed, aborted in their bucket. */
  multipartAborted: number;
  /** Their `direct_uploads` rows (and LFS tickets) removed. */
  uploadsRemoved: number;
  /** Abandoned uploads whose store could not be reached: kept for a later pass. */
  keptStoreAway: number;
  /** LFS tickets never used before they expired. */
  ticketsRemoved: number;
  /** Through-API part files (`direct-*.part`) a crash left in this host's upload folder. */
  partFilesRemoved: number;
  partBytesRemoved: number;
}
