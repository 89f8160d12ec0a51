import { Role } from '../../src/domain/auth/roles';
import type { TestApp } from './test-app';

export const OPERATION_FIELDS = 'id kind status workflowId progress bytesDone bytesTotal currentStep message errorCode errorMessage sequence';

export async function importModel(t: TestApp, input: Record<string, unknown>) {
  return t.gql(`mutation($input: ImportModelInput!) { importModel(input: $input) { ${OPERATION_FIELDS} model { id name status } version { id version status } } }`, { input });
}

/** Polls the operation until it ends (subscriptions are tested separately; this keeps other tests simple). */
export async function waitForOperation(t: TestApp, id: string, timeoutMs = 90_000): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.gql(`query($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }`, { id }, { as: Role.VIEWER });
    const op = res.data?.operation;
    if (op && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(op.status)) return op;
    if (Date.now() > deadline) throw new Error(`operation ${id} did not finish: ${JSON.stringify(op ?? res.errors)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const VERSION_DETAILS = `
  id version status statusReason
  files { path size sha256 format }
  verifiedMetadata { architecture modelType parameterCount contextLength dtypes torchDtype quantization license tags pipelineTag }
  metadataMismatches { field declared verified }
  model { id name status architecture parameterCount contextLength requirements { minGpuMemoryGb recommendedGpu recommendedGpuCount } defaultVersion { id } }
`;
