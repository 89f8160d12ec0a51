import { Role } from '../../src/domain/auth/roles';
import { errorCode, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
const project = uniqueName('listing');
const names: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  // One isolated project: every query below filters on it, so other tests' models never interfere.
  const specs: [string, Record<string, unknown>][] = [
    ['alpha', { architecture: 'LlamaForCausalLM', parameterCount: 8_000_000_000, tags: ['chat', 'small'], license: 'Llama-3.1-Community', inputModalities: ['TEXT'], endpoints: ['CHAT'], description: 'A helpful assistant' }],
    ['bravo', { architecture: 'LlamaForCausalLM', parameterCount: 70_000_000_000, tags: ['chat'], license: 'Llama-3.1-Community', inputModalities: ['TEXT', 'IMAGE'], endpoints: ['CHAT'] }],
    ['charlie', { architecture: 'MistralForCausalLM', parameterCount: 7_000_000_000, tags: ['code'], license: 'Apache-2.0', sourceType: 'URL', sourceUri: 'https://example.com/charlie' }],
    ['delta', { architecture: 'BertModel', parameterCount: 110_000_000, tags: ['embedding'], license: 'Apache-2.0', endpoints: ['EMBEDDING'], sourceType: 'DISK' }],
    ['echo', { architecture: 'WhisperForConditionalGeneration', parameterCount: 1_550_000_000, inputModalities: ['AUDIO'], outputModalities: ['TEXT'], endpoints: ['TRANSCRIPTION'], license: 'MIT' }],
    ['foxtrot', { displayName: 'Unknown size' }],
  ];
  for (const [key, input] of specs) {
    const model = await registerModel(t, { name: `${project}-${key}`, project, ...input });
    names[key] = model.name;
  }
  // The status filter reads the model's summary column; an import would set it the same way (see onboarding tests).
  await t.dataSource.query(`UPDATE models SET status = 'INGESTING' WHERE name = $1`, [names.delta]);
});
afterAll(async () => {
  await t.stop();
});

const LIST = `query($filter: ModelFilterInput, $first: Int, $after: String, $orderBy: ModelOrder) {
  models(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { name } }
  }
}`;

async function list(filter: Record<string, unknown>, orderBy = 'NAME_ASC', first = 50, after?: string) {
  const res = await t.gql(LIST, { filter: { project, ...filter }, orderBy, first, after }, { as: Role.VIEWER });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.models as {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { name: string } }[];
  };
}

const keysOf = (page: Awaited<ReturnType<typeof list>>) => page.edges.map((e) => e.node.name.slice(project.length + 1));

test.each([
  ['search in description', { search: 'HELPFUL' }, ['alpha']],
  ['search by exact tag', { search: 'code' }, ['charlie']],
  ['search with LIKE wildcards is literal', { search: '%' }, []],
  ['architecture (case-insensitive)', { architecture: 'llamaforcausallm' }, ['alpha', 'bravo']],
  ['source type', { sourceType: 'DISK' }, ['delta']],
  ['all of the tags', { tags: ['chat', 'small'] }, ['alpha']],
  ['license', { license: 'apache-2.0' }, ['charlie', 'delta']],
  ['status', { status: ['INGESTING'] }, ['delta']],
  ['min parameters', { minParameters: '8000000000' }, ['alpha', 'bravo']],
  ['max parameters', { maxParameters: 7_000_000_000 }, ['charlie', 'delta', 'echo']],
  ['parameter range', { minParameters: 1_000_000_000, maxParameters: 8_000_000_000 }, ['alpha', 'charlie', 'echo']],
  ['modality, input or output', { modality: 'AUDIO' }, ['echo']],
  ['image modality', { modality: 'IMAGE' }, ['bravo']],
  ['endpoint', { endpoint: 'EMBEDDING' }, ['delta']],
  ['combined', { architecture: 'LlamaForCausalLM', modality: 'IMAGE' }, ['bravo']],
])('filter: %s', async (_label, filter, expected) => {
  const page = await list(filter);
  expect(keysOf(page)).toEqual(expected);
  expect(page.totalCount).toBe(expected.length);
});

test('orderings', async () => {
  expect(keysOf(await list({}, 'NAME_DESC'))).toEqual(['foxtrot', 'echo', 'delta', 'charlie', 'bravo', 'alpha']);
  expect(keysOf(await list({}, 'PARAMETER_COUNT_DESC'))).toEqual(['bravo', 'alpha', 'charlie', 'echo', 'delta', 'foxtrot']);
  expect(keysOf(await list({}, 'PARAMETER_COUNT_ASC'))).toEqual(['foxtrot', 'delta', 'echo', 'charlie', 'alpha', 'bravo']);
  expect(keysOf(await list({}, 'CREATED_AT_ASC'))).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot']);
  expect(keysOf(await list({}, 'CREATED_AT_DESC'))).toEqual(['foxtrot', 'echo', 'delta', 'charlie', 'bravo', 'alpha']);
});

test.each(['NAME_ASC', 'CREATED_AT_DESC', 'PARAMETER_COUNT_DESC', 'UPDATED_AT_DESC'])(
  'cursor pagination with %s visits every model once, in order',
  async (orderBy) => {
    const all = keysOf(await list({}, orderBy));
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list({}, orderBy, 4, after);
      expect(page.totalCount).toBe(6);
      seen.push(...keysOf(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(seen).toEqual(all);
    expect(seen).toHaveLength(6);
  },
);

test('a page size outside 1..100, a forged cursor or a cursor of another ordering is BAD_USER_INPUT', async () => {
  for (const first of [0, 101, -1]) {
    const res = await t.gql(LIST, { filter: { project }, first }, { as: Role.VIEWER });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  }
  const forged = await t.gql(LIST, { filter: { project }, after: 'bm90IGEgY3Vyc29y' }, { as: Role.VIEWER });
  expect(errorCode(forged)).toBe('BAD_USER_INPUT');
  const page = await list({}, 'NAME_ASC', 2);
  const mixed = await t.gql(LIST, { filter: { project }, orderBy: 'CREATED_AT_DESC', after: page.pageInfo.endCursor }, { as: Role.VIEWER });
  expect(errorCode(mixed)).toBe('BAD_USER_INPUT');
  const inverted = await t.gql(LIST, { filter: { project, minParameters: 10, maxParameters: 5 } }, { as: Role.VIEWER });
  expect(errorCode(inverted)).toBe('BAD_USER_INPUT');
});
