/** Which files a scan covers: an import's stored listing (before the version's manifest exists), or the manifest. */
export type ScanSource = 'IMPORT' | 'RESCAN';

/** Workflow and activity arguments: ids only, so histories stay small whatever the version's size. */
export interface ScanIds {
  /** The operation that reports progress: the import's own, or a SCAN operation for a rescan. */
  operationId: string;
  modelId: string;
  versionId: string;
}

export type ScanWorkflowInput = ScanIds;

export interface ScanSummary {
  scanResultId: string;
  status: string;
  files: number;
  findings: number;
}
