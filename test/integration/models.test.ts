import { Role } from '../../src/domain/auth/roles';
import { errorCode, MODEL_FIELDS, publish, recordEvidence, registerModel, transition } from '../support/catalog-fixtures';
import { importVerified } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ worker: true });
});
afterAll(async () => {
  await t.stop();
});

const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { ${MODEL_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateModelInput!) { updateModel(id: $id, input: $input) { ${MODEL_FIELDS} } }`;

async function rowCount(table: string, where: string, params: unknown[]): Promise<number> {
  const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return row.n;
}

describe('registerModel', () => {
  test('stores every field and returns it as stored', async () => {
    const name = uniqueName('llama-3-1-70b');
    const res = await t.gql(REGISTER, {
      input: {
        name,
        displayName: 'Llama 3.1 70B Instruct',
        description: 'Instruction-tuned 70B model',
        sourceType: 'HUGGING_FACE',
        sourceUri: 'meta-llama/Llama-3.1-70B-Instruct',
        architecture: 'LlamaForCausalLM',
        parameterCount: '70553706496',
        contextLength: 131072,
        inputModalities: ['TEXT'],
        outputModalities: ['TEXT'],
        endpoints: ['CHAT', 'COMPLETION'],
        license: 'Llama-3.1-Community',
        requirements: { minGpuMemoryGb: 160, recommendedGpu: 'H100-80GB', recommendedGpuCount: 2 },
        tags: ['LLM', 'instruct', 'llm'],
        tasks: ['text-generation'],
        owner: 'platform-team',
        project: 'assistants',
        links: { huggingFace: 'https://huggingface.co/meta-llama/Llama-3.1-70B-Instruct', website: 'https://llama.com' },
      },
    });
    expect(res.errors).toBeUndefined();
    const model = res.data!.registerModel;
    expect(model).toMatchObject({
      name,
      status: 'DRAFT',
      parameterCount: 70553706496,
      contextLength: 131072,
      endpoints: ['CHAT', 'COMPLETION'],
      tags: ['llm', 'instruct'],
      createdBy: 'editor-user',
      license: { id: 'Llama-3.1-Community', commercialUse: true },
      // Inherited from the license because none were given.
      licenseRestrictions: { commercialUse: true, derivatives: true, monthlyActiveUsersLimit: 700000000 },
      requirements: { minGpuMemoryGb: 160, recommendedGpu: 'H100-80GB', recommendedGpuCount: 2 },
      links: { huggingFace: 'https://huggingface.co/meta-llama/Llama-3.1-70B-Instruct', github: null },
      defaultVersion: null,
    });
    const [row] = await t.dataSource.query('SELECT parameter_count, status FROM models WHERE id = $1', [model.id]);
    expect(row).toEqual({ parameter_count: '70553706496', status: 'DRAFT' });

    const byName = await t.gql(`query($n: String!) { modelByName(name: $n) { id transitions { fromStatus toStatus actor reason } } }`, { n: name }, { as: Role.VIEWER });
    expect(byName.data!.modelByName).toEqual({
      id: model.id,
      transitions: [{ fromStatus: null, toStatus: 'DRAFT', actor: 'editor-user', reason: 'registered' }],
    });
  });

  test('a parameter count beyond 2^53 round-trips exactly as a string', async () => {
    const model = await registerModel(t, { parameterCount: '9007199254740993' });
    expect(model.parameterCount).toBe('9007199254740993');
  });

  test('explicit license restrictions win over the license defaults', async () => {
    const model = await registerModel(t, {
      license: 'apache-2.0',
      licenseRestrictions: { commercialUse: false, notes: 'internal evaluation only' },
    });
    expect(model.license).toEqual({ id: 'Apache-2.0', commercialUse: true });
    expect(model.licenseRestrictions).toMatchObject({ commercialUse: false, notes: 'internal evaluation only', derivatives: null });
  });

  test('a duplicate name is a CONFLICT and the first model is untouched', async () => {
    const first = await registerModel(t, { description: 'original' });
    const res = await t.gql(REGISTER, { input: { name: first.name, sourceType: 'URL', description: 'impostor' } });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toContain(first.name);
    const [row] = await t.dataSource.query('SELECT description, source_type FROM models WHERE name = $1', [first.name]);
    expect(row).toEqual({ description: 'original', source_type: 'HUGGING_FACE' });
  });

  test.each([
    ['name', { name: 'Not A Slug!' }],
    ['parameterCount', { parameterCount: -1 }],
    ['license', { license: 'WTFPL-9' }],
    ['description', { description: 'x'.repeat(10_001) }],
    ['displayName', { displayName: 'y'.repeat(201) }],
    ['links.website', { links: { website: 'ftp://example.com' } }],
    ['sourceUri', { sourceType: 'URL', sourceUri: 'not a url' }],
    ['contextLength', { contextLength: 0 }],
    ['tags[0]', { tags: ['has space'] }],
  ])('bad %s is BAD_USER_INPUT naming the field, and nothing is stored', async (field, input) => {
    const name = uniqueName('bad');
    const res = await t.gql(REGISTER, { input: { name, sourceType: 'HUGGING_FACE', ...input } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field ?? res.errors![0].message).toContain(field === 'name' ? 'name' : field);
    expect(res.errors![0].message).not.toMatch(/SELECT|INSERT|stack|at .*\.ts/);
    expect(await rowCount('models', 'name = $1', [name])).toBe(0);
  });

  test('a parameter count that is not an integer is rejected by the BigInt scalar', async () => {
    const res = await t.gql(REGISTER, { input: { name: uniqueName(), sourceType: 'URL', parameterCount: 1.5 } });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('updateModel', () => {
  test('changes given fields, keeps omitted ones and clears nulls', async () => {
    const model = await registerModel(t, { description: 'before', architecture: 'MistralForCausalLM', owner: 'team-a', tags: ['a'] });
    const res = await t.gql(UPDATE, { id: model.id, input: { description: 'after', owner: null, tags: ['b', 'c'] } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateModel).toMatchObject({ description: 'after', owner: null, tags: ['b', 'c'], architecture: 'MistralForCausalLM' });
  });

  test('changing the license re-derives restrictions; renaming onto a taken name is a CONFLICT', async () => {
    const other = await registerModel(t);
    const model = await registerModel(t, { license: 'MIT' });
    const relicensed = await t.gql(UPDATE, { id: model.id, input: { license: 'CC-BY-NC-4.0' } });
    expect(relicensed.data!.updateModel.licenseRestrictions).toMatchObject({ commercialUse: false });
    const clash = await t.gql(UPDATE, { id: model.id, input: { name: other.name, description: 'lost' } });
    expect(errorCode(clash)).toBe('CONFLICT');
    const [row] = await t.dataSource.query('SELECT name, description FROM models WHERE id = $1', [model.id]);
    expect(row).toEqual({ name: model.name, description: null });
  });

  test('unknown and malformed ids', async () => {
    const missing = await t.gql(UPDATE, { id: '00000000-0000-4000-8000-000000000000', input: { description: 'x' } });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const malformed = await t.gql(UPDATE, { id: 'nope', input: { description: 'x' } });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
  });
});

describe('deleteModel', () => {
  test('needs the admin role and removes the model with its versions', async () => {
    const model = await registerModel(t);
    await t.gql(`mutation($m: ID!) { createVersion(input: { modelId: $m, version: "1.0.0" }) { id } }`, { m: model.id });
    const denied = await t.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: model.id }, { as: Role.APPROVER });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const res = await t.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: model.id }, { as: Role.ADMIN });
    expect(res.data).toEqual({ deleteModel: model.id });
    expect(await rowCount('models', 'id = $1', [model.id])).toBe(0);
    expect(await rowCount('model_versions', 'model_id = $1', [model.id])).toBe(0);
    const gone = await t.gql(`query($id: ID!) { model(id: $id) { id } }`, { id: model.id });
    expect(errorCode(gone)).toBe('NOT_FOUND');
  });

  test('is refused while a version is PUBLISHED, saying why', async () => {
    const { modelId, versionId } = await importVerified(t, { license: 'Apache-2.0' });
    await recordEvidence(t, versionId);
    expect((await transition(t, versionId, 'EVALUATED')).errors).toBeUndefined();
    expect((await publish(t, versionId)).errors).toBeUndefined();
    const res = await t.gql(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: modelId }, { as: Role.ADMIN });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toMatch(/PUBLISHED version.*archive/);
    expect(await rowCount('models', 'id = $1', [modelId])).toBe(1);
  });
});
