import { Role } from '../../src/domain/auth/roles';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { gguf, llamaConfig, modelCard, parameterCountOf, safetensors, sha256, tinyLlamaTensors } from '../fixtures/model-files';
import { errorCode } from '../support/catalog-fixtures';
import { importModel, OPERATION_FIELDS, VERSION_DETAILS, waitForOperation } from '../support/onboarding-fixtures';
import { subscribe } from '../support/subscriptions';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let hub: HubServer;
let t: TestApp;

const tensors = tinyLlamaTensors();
const shard1 = safetensors(tensors.slice(0, 5));
const shard2 = safetensors(tensors.slice(5));

beforeAll(async () => {
  hub = await startHubServer();
  t = await startTestApp({ worker: true, env: { HF_ENDPOINT: hub.url, HF_TOKEN: 'hf_test_token' } });
});
afterAll(async () => {
  await t.stop();
  await hub.close();
});

function llamaRepo() {
  return {
    files: {
      'config.json': llamaConfig(),
      'README.md': modelCard({ license: 'llama3.1', tags: ['text-generation', 'llama'], pipeline_tag: 'text-generation' }),
      'model-00001-of-00002.safetensors': shard1,
      'model-00002-of-00002.safetensors': shard2,
      'tokenizer.json': Buffer.from('{"version":"1.0"}'),
    },
  };
}

test('a Hugging Face import streams live progress to completion and verifies metadata from the files', async () => {
  const repoId = `meta-test/${uniqueName('llama')}`;
  hub.repos.set(repoId, llamaRepo());
  const name = uniqueName('tiny-llama');
  const started = await importModel(t, { name, source: { sourceType: 'HUGGING_FACE', repoId, revision: 'main' } });
  expect(started.errors).toBeUndefined();
  const op = started.data!.importModel;
  expect(op).toMatchObject({ kind: 'IMPORT', status: expect.stringMatching(/PENDING|RUNNING/), model: { name, status: 'INGESTING' }, version: { version: '1.0.0', status: 'INGESTING' } });
  expect(op.workflowId).toBe(`import:${op.version.id}`);

  const sub = await subscribe(t, `subscription($id: ID!) { operationProgress(id: $id) { ${OPERATION_FIELDS} } }`, { id: op.id });
  const events = (await sub.done).map((e) => e.data!.operationProgress);
  const sequences = events.map((e) => e.sequence);
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  expect(new Set(sequences).size).toBe(sequences.length);
  expect(events.at(-1)).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
  const bytes = events.map((e) => Number(e.bytesDone));
  expect(bytes).toEqual([...bytes].sort((a, b) => a - b));

  const res = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION_DETAILS} } }`, { id: op.version.id }, { as: Role.VIEWER });
  const version = res.data!.version;
  expect(version.status).toBe('VERIFIED');
  expect(version.files.map((f: { path: string; format: string }) => [f.path, f.format])).toEqual([
    ['README.md', 'MODEL_CARD'],
    ['config.json', 'CONFIG'],
    ['model-00001-of-00002.safetensors', 'SAFETENSORS'],
    ['model-00002-of-00002.safetensors', 'SAFETENSORS'],
    ['tokenizer.json', 'TOKENIZER'],
  ]);
  expect(version.files[2].sha256).toBe(sha256(shard1));
  expect(version.verifiedMetadata).toMatchObject({
    architecture: 'LlamaForCausalLM',
    modelType: 'llama',
    parameterCount: parameterCountOf(tensors),
    contextLength: 4096,
    dtypes: { BF16: String(parameterCountOf(tensors)) },
    torchDtype: 'bfloat16',
    license: 'Llama-3.1-Community',
    pipelineTag: 'text-generation',
  });
  expect(version.metadataMismatches).toEqual([]);
  // Verified facts fill the catalog entry the user left empty; requirements come from the estimate.
  expect(version.model).toMatchObject({
    name,
    status: 'VERIFIED',
    architecture: 'LlamaForCausalLM',
    parameterCount: parameterCountOf(tensors),
    contextLength: 4096,
    requirements: { recommendedGpu: 'L4', recommendedGpuCount: 1 },
    defaultVersion: { id: op.version.id },
  });
});

test('importing the same version twice starts one workflow and returns the same operation', async () => {
  const repoId = `meta-test/${uniqueName('dup')}`;
  hub.repos.set(repoId, { ...llamaRepo(), throttle: { chunk: 4096, delayMs: 20 } });
  const input = { name: uniqueName('dup'), source: { sourceType: 'HUGGING_FACE', repoId } };
  const [a, b] = await Promise.all([importModel(t, input), importModel(t, input)]);
  const ids = [a, b].map((r) => r.data?.importModel.id ?? errorCode(r));
  // Concurrent twins: one starts the workflow, the other finds its running operation.
  expect(ids[0]).toBe(ids[1]);
  const again = await importModel(t, input);
  expect(again.data!.importModel.id).toBe(ids[0]);
  const done = await waitForOperation(t, ids[0] as string);
  expect(done.status).toBe('SUCCEEDED');
  const [count] = await t.dataSource.query('SELECT count(*)::int AS n FROM operations WHERE workflow_id = $1', [done.workflowId]);
  expect(count.n).toBe(1);
  const afterDone = await importModel(t, input);
  expect(errorCode(afterDone)).toBe('CONFLICT');
});

test('an LFS checksum mismatch fails the import: NEEDS_ATTENTION with the reason, no manifest, nothing stored', async () => {
  const repoId = `meta-test/${uniqueName('corrupt')}`;
  const repo = llamaRepo();
  hub.repos.set(repoId, { ...repo, wrongSha256: { 'model-00002-of-00002.safetensors': 'f'.repeat(64) } });
  const res = await importModel(t, { name: uniqueName('corrupt'), source: { sourceType: 'HUGGING_FACE', repoId } });
  const op = await waitForOperation(t, res.data!.importModel.id);
  expect(op).toMatchObject({ status: 'FAILED', errorCode: 'BAD_USER_INPUT' });
  expect(op.errorMessage).toMatch(/model-00002-of-00002\.safetensors: sha256 mismatch/);
  const model = await t.gql(`query($id: ID!) { model(id: $id) { status transitions { toStatus reason } versions { status statusReason files { path } } } }`, { id: res.data!.importModel.model.id });
  expect(model.data!.model.status).toBe('NEEDS_ATTENTION');
  expect(model.data!.model.transitions.at(-1).reason).toMatch(/sha256 mismatch/);
  expect(model.data!.model.versions[0]).toMatchObject({ status: 'NEEDS_ATTENTION', files: [] });
});

test('a gated repository without access fails with a clear message; a missing repo too', async () => {
  const repoId = `gated/${uniqueName('gated')}`;
  hub.repos.set(repoId, { ...llamaRepo(), token: 'hf_other_token' });
  const gated = await importModel(t, { name: uniqueName('gated'), source: { sourceType: 'HUGGING_FACE', repoId } });
  const op = await waitForOperation(t, gated.data!.importModel.id);
  expect(op.status).toBe('FAILED');
  expect(op.errorMessage).toMatch(/HF_TOKEN/);
  const missing = await importModel(t, { name: uniqueName('missing'), source: { sourceType: 'HUGGING_FACE', repoId: 'nobody/nothing' } });
  expect((await waitForOperation(t, missing.data!.importModel.id)).errorMessage).toMatch(/not found/);
});

test('GGUF metadata (architecture, context, quantization, parameters) is read from the header', async () => {
  const repoId = `gguf-test/${uniqueName('gguf')}`;
  const file = gguf({ architecture: 'llama', contextLength: 8192, fileType: 15, tensors: [{ name: 'token_embd.weight', dims: [64, 256] }, { name: 'output.weight', dims: [64, 256] }] });
  hub.repos.set(repoId, { files: { 'model-Q4_K_M.gguf': file } });
  const res = await importModel(t, { name: uniqueName('gguf'), parameterCount: 32768, source: { sourceType: 'HUGGING_FACE', repoId } });
  await waitForOperation(t, res.data!.importModel.id);
  const version = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION_DETAILS} } }`, { id: res.data!.importModel.version.id });
  expect(version.data!.version.verifiedMetadata).toMatchObject({ architecture: 'llama', contextLength: 8192, quantization: 'Q4_K_M', parameterCount: 32768 });
  expect(version.data!.version.files[0].format).toBe('GGUF');
});

test('declared facts that the files contradict are flagged and the model needs attention', async () => {
  const repoId = `meta-test/${uniqueName('liar')}`;
  hub.repos.set(repoId, llamaRepo());
  const res = await importModel(t, {
    name: uniqueName('liar'),
    architecture: 'MistralForCausalLM',
    parameterCount: '7000000000',
    source: { sourceType: 'HUGGING_FACE', repoId },
  });
  const op = await waitForOperation(t, res.data!.importModel.id);
  expect(op.status).toBe('FAILED');
  const version = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION_DETAILS} } }`, { id: res.data!.importModel.version.id });
  expect(version.data!.version.metadataMismatches).toEqual([
    { field: 'architecture', declared: 'MistralForCausalLM', verified: 'LlamaForCausalLM' },
    { field: 'parameterCount', declared: '7000000000', verified: String(parameterCountOf(tensors)) },
  ]);
  expect(version.data!.version.model.status).toBe('NEEDS_ATTENTION');
  // The declared values stay in the catalog: the mismatch is for a person to resolve.
  expect(version.data!.version.model.architecture).toBe('MistralForCausalLM');
});

test('a second API process (its own LISTEN connection) streams progress of work another process started', async () => {
  const other = await startTestApp();
  try {
    const repoId = `meta-test/${uniqueName('multi')}`;
    hub.repos.set(repoId, { ...llamaRepo(), throttle: { chunk: 8192, delayMs: 5 } });
    const started = await importModel(t, { name: uniqueName('multi'), source: { sourceType: 'HUGGING_FACE', repoId } });
    const sub = await subscribe(other, `subscription($id: ID!) { operationProgress(id: $id) { status sequence } }`, { id: started.data!.importModel.id });
    const events = (await sub.done).map((e) => e.data!.operationProgress);
    expect(events.at(-1)!.status).toBe('SUCCEEDED');
    expect(events.length).toBeGreaterThan(2);
  } finally {
    await other.stop();
  }
});
