/** Ids a benchmark or evaluation workflow carries (its plan is read from the operation row, never passed inline). */
export interface RunIds {
  operationId: string;
  modelId: string;
  versionId: string;
}
