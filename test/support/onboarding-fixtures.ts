import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { llamaConfig, modelCard, safetensors, tinyLlamaTensors } from '../fixtures/model-files';
import { type TestApp, uniqueName } from './test-app';

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

/** A small real model folder (Llama config, safetensors weights, model card) under the app's DISK import root. */
export async function writeModelDir(t: TestApp, name = uniqueName('dir')): Promise<string> {
  const dir = path.join(t.config.imports.diskRoots[0], name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'config.json'), llamaConfig());
  await writeFile(path.join(dir, 'model.safetensors'), safetensors(tinyLlamaTensors()));
  await writeFile(path.join(dir, 'README.md'), modelCard({ license: 'apache-2.0' }));
  return dir;
}

export interface ImportedVersion {
  modelId: string;
  versionId: string;
  operationId: string;
}

/** Imports a DISK folder as a version (the app needs a worker) and waits for it to settle VERIFIED. */
export async function importVerified(t: TestApp, input: { name?: string; version?: string; license?: string; dir?: string } = {}): Promise<ImportedVersion> {
  const dir = input.dir ?? (await writeModelDir(t));
  const res = await importModel(t, {
    name: input.name ?? uniqueName('verified'),
    ...(input.version ? { version: input.version } : {}),
    ...(input.license ? { license: input.license } : {}),
    source: { sourceType: 'DISK', path: dir },
  });
  if (res.errors || !res.data) throw new Error(`importModel failed: ${JSON.stringify(res.errors)}`);
  const op = await waitForOperation(t, res.data.importModel.id);
  if (op.status !== 'SUCCEEDED') throw new Error(`import did not succeed: ${JSON.stringify(op)}`);
  return { modelId: res.data.importModel.model.id, versionId: res.data.importModel.version.id, operationId: op.id };
}
