/** The store-move workflow's input: ids only (the operation row holds the rest). */
export interface StoreMoveInput {
  operationId: string;
  versionId: string;
  sourceStoreId: string;
  targetStoreId: string;
}

/** What the copy step did: blobs copied now, blobs the target already held (verified by reading them back). */
export interface StoreCopyReport {
  blobs: number;
  copied: number;
  alreadyThere: number;
  bytes: number;
}
