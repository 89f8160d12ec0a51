import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import { createVersion, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/** Query cost is bounded: each limit answers its own code at once and the service stays responsive. */

let t: TestApp;
let modelId: string;

beforeAll(async () => {
  t = await startTestApp();
  const model = await registerModel(t);
  modelId = model.id;
  for (const v of ['1.0.0', '1.1.0', '2.0.0']) await createVersion(t, modelId, v);
});
afterAll(async () => {
  await t?.stop();
});

interface Raw {
  status: number;
  contentType: string | null;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | { data?: unknown }[];
  ms: number;
}

async function post(body: string, headers: Record<string, string> = {}, app: TestApp = t): Promise<Raw> {
  const started = Date.now();
  const response = await fetch(app.app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await app.token(Role.VIEWER)}`, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), body: JSON.parse(text) as Raw['body'], ms: Date.now() - started };
}

function firstError(raw: Raw) {
  expect(raw.contentType).toMatch(/application\/json/);
  return (raw.body as { errors: { message: string; extensions?: Record<string, unknown> }[] }).errors[0];
}

/** A cheap query sent while the hostile one is in flight answers promptly. */
async function duringHostile(hostile: Promise<Raw>): Promise<{ raw: Raw; cheapMs: number }> {
  const started = Date.now();
  const cheap = t.gql('{ licenses { id } }', {}, { as: Role.VIEWER });
  const [raw, cheapResult] = await Promise.all([hostile, cheap]);
  expect(cheapResult.errors).toBeUndefined();
  return { raw, cheapMs: Date.now() - started };
}

function nested(depth: number): string {
  let selection = 'id';
  for (let i = 0; i < depth; i++) selection = `versions { model { ${selection} } }`;
  return `query($id: ID!) { model(id: $id) { ${selection} } }`;
}

test('a query nested 11 times through versions { model { … } } is QUERY_TOO_DEEP, at once', async () => {
  const { raw, cheapMs } = await duringHostile(post(JSON.stringify({ query: nested(11), variables: { id: modelId } })));
  expect(raw.status).toBe(400);
  firstError(raw);
  // Its cost is over the limit too: each verdict is reported with its own code.
  const errors = (raw.body as { errors: { message: string; extensions?: Record<string, unknown> }[] }).errors;
  expect(errors.find((e) => e.extensions?.code === 'QUERY_TOO_DEEP')).toMatchObject({ message: expect.stringContaining('Query depth limit of 10 exceeded'), extensions: { limit: 10 } });
  expect(raw.ms).toBeLessThan(1000);
  expect(cheapMs).toBeLessThan(1000);
  // Within the limit it runs (3 versions, 4 levels: 81 leaves).
  const ok = await t.gql(nested(4), { id: modelId }, { as: Role.VIEWER });
  expect(ok.errors).toBeUndefined();
});

test('1,000 aliases of models(first: 100) are refused by the token limit; 21 aliases by the alias limit', async () => {
  const thousand = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: models(first: 100) { totalCount }`).join(' ')} }`;
  const { raw } = await duringHostile(post(JSON.stringify({ query: thousand })));
  expect(raw.status).toBe(400);
  expect(firstError(raw).extensions?.code).toBe('TOO_MANY_TOKENS');
  const many = `{ ${Array.from({ length: 21 }, (_, i) => `a${i}: licenses { id }`).join(' ')} }`;
  expect(firstError(await post(JSON.stringify({ query: many })))).toMatchObject({ extensions: { code: 'TOO_MANY_ALIASES', limit: 20 } });
});

test('too many directives is TOO_MANY_DIRECTIVES', async () => {
  const query = `{ __typename ${'@include(if: true) '.repeat(21)} }`;
  expect(firstError(await post(JSON.stringify({ query })))).toMatchObject({ extensions: { code: 'TOO_MANY_DIRECTIVES' } });
});

test('a query whose lists multiply past MAX_QUERY_COST is QUERY_TOO_COSTLY', async () => {
  const query = `{ models(first: 100) { edges { node { versions(first: 100) { files(first: 100) { path size sha256 } } } } } }`;
  const { raw } = await duringHostile(post(JSON.stringify({ query })));
  expect(firstError(raw)).toMatchObject({ message: expect.stringContaining('Query Cost limit of 20000 exceeded'), extensions: { code: 'QUERY_TOO_COSTLY' } });
});

test('a body over MAX_BODY_BYTES is BODY_TOO_LARGE (413, JSON)', async () => {
  const query = `{ __typename } # ${'x'.repeat(1_100_000)}`;
  const { raw } = await duringHostile(post(JSON.stringify({ query })));
  expect(raw.status).toBe(413);
  expect(firstError(raw)).toMatchObject({ extensions: { code: 'BODY_TOO_LARGE', limit: 1_048_576 } });
});

test('a batch of 11 operations is BATCH_TOO_LARGE; a batch of 2 runs', async () => {
  const op = { query: '{ __typename }' };
  const big = await post(JSON.stringify(Array.from({ length: 11 }, () => op)));
  expect(big.status).toBe(400);
  expect(firstError(big)).toMatchObject({ extensions: { code: 'BATCH_TOO_LARGE', limit: 10 } });
  const small = await post(JSON.stringify([op, op]));
  expect(small.body).toEqual([{ data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }]);
});

test('variables nested past the schema (a filter of 20,000 nots) are BAD_USER_INPUT over HTTP and WebSocket, not a stack overflow', async () => {
  // Built as text: 160 KB of JSON, under MAX_BODY_BYTES, that graphql-js would coerce recursively.
  const filter = `${'{"not":'.repeat(20_000)}{"status":["PUBLISHED"]}${'}'.repeat(20_000)}`;
  const query = 'query($f: ModelFilterInput) { models(first: 5, filter: $f) { totalCount } }';
  const http = await post(`{"query":${JSON.stringify(query)},"variables":{"f":${filter}}}`);
  expect(firstError(http)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  expect(firstError(http).message).toBe('$f (f.not.not.not…): variables nest at most 64 levels deep');
  // Hidden behind 100,001 scalars of an unused variable, which the NUL search stops walking before.
  const hidden = await post(`{"query":${JSON.stringify(query)},"variables":{"f":${filter},"a":[${'1,'.repeat(100_000)}1]}}`);
  expect(firstError(hidden)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  // Over graphql-ws (sent as text: JSON.stringify itself overflows on such a value), the operation is refused alone
  // and the socket stays open; before, the coercion's RangeError closed it (4500) with its neighbours.
  const ws = new WebSocket(t.app.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: { type: string; id?: string; payload?: unknown }[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as (typeof messages)[number]));
  const closed = new Promise<number>((resolve) => ws.on('close', (code: number) => resolve(code)));
  const seen = async (type: string) => {
    for (const deadline = Date.now() + 10_000; !messages.some((m) => m.type === type); ) {
      if (Date.now() > deadline) throw new Error(`no ${type}; got ${JSON.stringify(messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await t.token(Role.VIEWER)}` } }));
  await seen('connection_ack');
  ws.send(`{"id":"deep","type":"subscribe","payload":{"query":${JSON.stringify(query)},"variables":{"f":${filter}}}}`);
  await seen('error');
  expect(JSON.stringify(messages.find((m) => m.type === 'error'))).toContain('variables nest at most 64 levels deep');
  ws.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ licenses { id } }' } }));
  await seen('complete');
  expect(messages.find((m) => m.id === 'after' && m.type === 'next')).toBeDefined();
  ws.close();
  expect(await closed).toBe(1005);
  // A filter as deep as the language allows still gets the language's own answer.
  const legal = await t.gql(query, { f: { not: { not: { not: { not: { not: { not: { status: ['PUBLISHED'] } } } } } } } }, { as: Role.VIEWER });
  expect(legal.errors![0].message).toContain('filters nest at most 5 levels deep');
  expect((await t.gql('{ licenses { id } }', {}, { as: Role.VIEWER })).errors).toBeUndefined();
});

test('nested lists take first (capped at NESTED_LIST_LIMIT) and default to the cap', async () => {
  const res = await t.gql(`query($id: ID!) { model(id: $id) { all: versions { version } two: versions(first: 2) { version } } }`, { id: modelId }, { as: Role.VIEWER });
  expect(res.data!.model.all).toHaveLength(3);
  expect(res.data!.model.two).toHaveLength(2);
  const over = await t.gql(`query($id: ID!) { model(id: $id) { versions(first: 101) { version } } }`, { id: modelId }, { as: Role.VIEWER });
  expect(over.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
});

test('errors outside GraphQL are JSON too: malformed JSON, unknown paths, CSRF-suspect requests', async () => {
  const malformed = await post('{"query": ');
  expect(malformed.status).toBe(400);
  expect(firstError(malformed).extensions?.code).toBe('BAD_REQUEST');
  const missing = await fetch(t.app.url.replace('/graphql', '/nope'));
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  // A simple (CORS-preflight-free) GET without a preflight header is refused, as CSRF prevention requires.
  const csrf = await fetch(`${t.app.url}?query=${encodeURIComponent('{ __typename }')}`);
  expect(csrf.status).toBe(400);
  expect(csrf.headers.get('content-type')).toMatch(/application\/json/);
  expect(JSON.stringify(await csrf.json())).toContain('Cross-Site Request Forgery');
});

test('introspection and field suggestions: on in test mode, off by default in production', async () => {
  expect((await t.gql('{ __schema { queryType { name } } }', {}, { as: null })).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  expect((await t.gql('{ modelz { id } }', {}, { as: Role.VIEWER })).errors![0].message).toContain('Did you mean');
  const prod = await startTestApp({ env: { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) } });
  try {
    const schema = await post(JSON.stringify({ query: '{ __schema { types { name } } }' }), { authorization: '' }, prod);
    expect(firstError(schema)).toMatchObject({ extensions: { code: 'INTROSPECTION_DISABLED' } });
    const typename = await post(JSON.stringify({ query: '{ __typename }' }), {}, prod);
    expect(typename.body).toEqual({ data: { __typename: 'Query' } });
    const typo = firstError(await post(JSON.stringify({ query: '{ modelz { id } }' }), {}, prod));
    expect(typo.message).toBe('Cannot query field "modelz" on type "Query".');
    expect(typo.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  } finally {
    await prod.stop();
  }
});
