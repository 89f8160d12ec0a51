import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import { buildSubgraph } from '../../src/graphql/schema';
import { registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

type ExecutionResult = FormattedExecutionResult<Record<string, unknown>, unknown>;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

function wsQuery(authorization: string | undefined, query: string): Promise<ExecutionResult> {
  const client = createClient({
    url: t.app.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
  });
  return new Promise<ExecutionResult>((resolve, reject) => {
    let result: ExecutionResult | undefined;
    client.subscribe({ query }, { next: (value) => (result = value), error: reject, complete: () => resolve(result!) });
  }).finally(() => client.dispose());
}

test('GET /health answers 200 with the readiness of PostgreSQL and Temporal', async () => {
  const response = await fetch(t.app.url.replace('/graphql', '/health'));
  expect(response.status).toBe(200);
  const body = (await response.json()) as { checks: { postgres: { latencyMs: unknown } } };
  expect(body).toMatchObject({ status: 'ok', checks: { postgres: { ok: true }, temporal: { ok: true } } });
  expect(typeof body.checks.postgres.latencyMs).toBe('number');
});

test('queries run over graphql-ws on the same port, with the token in the connection params', async () => {
  const model = await registerModel(t);
  const ok = await wsQuery(`Bearer ${await t.token(Role.VIEWER)}`, `{ model(id: "${model.id}") { name } }`);
  expect(ok.data).toEqual({ model: { name: model.name } });
  const anonymous = await wsQuery(undefined, `{ model(id: "${model.id}") { name } }`);
  expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  // A bad token does not close the socket: each operation is refused with the reason, as over HTTP.
  const forged = await wsQuery('Bearer forged', '{ licenses { id } }');
  expect(forged.errors?.[0]).toMatchObject({ message: 'The access token is not valid', extensions: { code: 'UNAUTHENTICATED' } });
});

test('every response carries a request id; a client-chosen one is echoed', async () => {
  const response = await fetch(t.app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'trace-123' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(response.headers.get('x-request-id')).toBe('trace-123');
});

test('schema/subgraph.graphql matches the schema the code builds (run npm run schema:print after changes)', async () => {
  const { sdl } = await buildSubgraph();
  const checkedIn = await readFile(path.resolve(__dirname, '../../schema/subgraph.graphql'), 'utf8');
  expect(sdl).toBe(checkedIn);
  expect(checkedIn).toContain('type Model @key(fields: "id")');
});

test('an unexpected failure is masked: no SQL, no stack, a request id; health turns 503', async () => {
  const broken = await startTestApp();
  await broken.dataSource.destroy();
  try {
    const response = await fetch(broken.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await broken.token(Role.VIEWER)}` },
      body: JSON.stringify({ query: '{ licenses { id } }' }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    const requestId = response.headers.get('x-request-id');
    // The reference is the request id the details were logged under.
    expect(body.errors[0]).toMatchObject({ message: `internal error (reference ${requestId})`, extensions: { code: 'INTERNAL_SERVER_ERROR', reference: requestId } });
    expect(JSON.stringify(body)).not.toMatch(/SELECT|FROM|stacktrace|\.ts:\d|TypeORM|Connection|pool/i);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const health = await fetch(broken.app.url.replace('/graphql', '/health'));
    expect(health.status).toBe(503);
  } finally {
    await broken.stop();
  }
});
