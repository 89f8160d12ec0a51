import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import { createVersion, registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/** Subscriptions fail one at a time: a bad one never closes the socket its neighbours share. */

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.stop();
});

async function connect(app: TestApp): Promise<{ client: Client; closes: number[] }> {
  const closes: number[] = [];
  const client = createClient({
    url: app.app.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${await app.token(Role.VIEWER)}` },
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  return { client, closes };
}

interface Stream {
  results: Result[];
  errors: GraphQLFormattedError[][];
  ended: Promise<void>;
  /** Completes it from the client's side. */
  stop(): void;
  until(predicate: (r: Result) => boolean, timeoutMs?: number): Promise<void>;
}

function open(client: Client, query: string): Stream {
  const results: Result[] = [];
  const errors: GraphQLFormattedError[][] = [];
  let resolveEnd!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnd = resolve));
  const stop = client.subscribe({ query }, { next: (r) => results.push(r), error: (e) => { errors.push(e as GraphQLFormattedError[]); resolveEnd(); }, complete: resolveEnd });
  return {
    results,
    errors,
    ended,
    stop,
    async until(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!results.some(predicate)) {
        if (Date.now() > deadline) throw new Error(`no matching result; got ${JSON.stringify(results.slice(-3))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

const statusTo = (to: string) => (r: Result) => (r.data?.modelEvents as { toStatus?: string } | undefined)?.toStatus === to;

test('a syntax error, an over-deep query and an unknown id next to a healthy subscription: each refused alone', async () => {
  const model = await registerModel(t);
  const { client, closes } = await connect(t);
  try {
    const healthy = open(client, `subscription { modelEvents(modelId: "${model.id}") { type toStatus } }`);
    // The same text again is served from the validated documents (src/http/ws-server.ts) and works as well.
    const sameText = open(client, `subscription { modelEvents(modelId: "${model.id}") { type toStatus } }`);
    const syntax = open(client, 'subscription { modelEvents(modelId: "x" { type }');
    await syntax.ended;
    expect(syntax.errors[0][0]).toMatchObject({ message: expect.stringContaining('Syntax Error'), extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    let deep = 'id';
    for (let i = 0; i < 8; i++) deep = `versions { model { ${deep} } }`;
    const tooDeep = open(client, `subscription { operationProgress(id: "${model.id}") { model { ${deep} } } }`);
    await tooDeep.ended;
    expect(tooDeep.errors[0].map((e) => e.extensions?.code)).toContain('QUERY_TOO_DEEP');
    // A refused document is never remembered: sent again, it is refused again.
    const tooDeepAgain = open(client, `subscription { operationProgress(id: "${model.id}") { model { ${deep} } } }`);
    await tooDeepAgain.ended;
    expect(tooDeepAgain.errors[0].map((e) => e.extensions?.code)).toContain('QUERY_TOO_DEEP');
    const missing = open(client, 'subscription { operationProgress(id: "00000000-0000-4000-8000-000000000000") { status } }');
    await missing.ended;
    expect(missing.results[0].errors![0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    // The shared socket is still open and the healthy subscription still receives events.
    await createVersion(t, model.id, '1.0.0');
    await healthy.until(statusTo('DRAFT'));
    await sameText.until(statusTo('DRAFT'));
    expect(closes).toEqual([]);
  } finally {
    await client.dispose();
  }
});

test('the LISTEN connection killed mid-stream: the stream re-reads what it missed and keeps going', async () => {
  const model = await registerModel(t);
  const { client } = await connect(t);
  try {
    const stream = open(client, `subscription { modelEvents(modelId: "${model.id}") { type toStatus reason } }`);
    await createVersion(t, model.id, '1.0.0');
    await stream.until(statusTo('DRAFT'));
    // Kill this process's listener and, before it is back, commit a change whose NOTIFY it cannot hear.
    const killed = await t.dataSource.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`, [`modelhub-events:${process.pid}`]);
    expect(killed.length).toBeGreaterThan(0);
    const version = await createVersion(t, model.id, '1.1.0');
    await t.gql(`mutation($id: ID!) { transitionVersion(id: $id, to: ARCHIVED, reason: "while the listener was down") { status } }`, { id: version.id }, { as: Role.APPROVER });
    await stream.until(statusTo('ARCHIVED'), 15_000);
    // Still live afterwards.
    await createVersion(t, model.id, '1.2.0');
    await stream.until(() => stream.results.filter(statusTo('DRAFT')).length >= 3, 15_000);
  } finally {
    await client.dispose();
  }
});

test('a subscription started while the database is unreachable gets a masked error with a reference', async () => {
  const broken = await startTestApp();
  const model = await registerModel(broken);
  await broken.dataSource.destroy();
  const { client, closes } = await connect(broken);
  try {
    const stream = open(client, `subscription { modelEvents(modelId: "${model.id}") { type } }`);
    await stream.ended;
    const error = stream.results[0]?.errors?.[0] ?? stream.errors[0]?.[0];
    expect(error).toMatchObject({ message: expect.stringMatching(/^internal error \(reference [\w-]+\)$/), extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(stream.results) + JSON.stringify(stream.errors)).not.toMatch(/ECONNREFUSED|Connection|TypeORM|SELECT|5432|\.ts:\d/);
    expect(closes).toEqual([]);
  } finally {
    await client.dispose();
    await broken.stop();
  }
});

test('SUBSCRIPTIONS_PER_SOCKET: the subscription past the cap is refused for its id alone; completing one makes room', async () => {
  const capped = await startTestApp({ env: { SUBSCRIPTIONS_PER_SOCKET: '3' } });
  const model = await registerModel(capped);
  const { client, closes } = await connect(capped);
  try {
    const query = `subscription { modelEvents(modelId: "${model.id}") { type toStatus } }`;
    const held = [open(client, query), open(client, query), open(client, query)];
    // Sent in one burst with the three: the cap counts subscriptions still being set up, not only live ones.
    const extra = open(client, query);
    await extra.ended;
    expect(extra.errors[0][0]).toMatchObject({
      message: expect.stringContaining('SUBSCRIPTIONS_PER_SOCKET'),
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 },
    });
    // The three held ones still receive events on the same socket.
    await createVersion(capped, model.id, '1.0.0');
    for (const stream of held) await stream.until(statusTo('DRAFT'));
    expect(closes).toEqual([]);

    // One completed by the client: the next subscribe is taken and delivered to.
    held[0].stop();
    const later = await (async () => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const attempt = open(client, query);
        const refused = await Promise.race([attempt.ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500))]);
        if (!refused) return attempt;
        if (Date.now() > deadline) throw new Error(`still refused after a completion: ${JSON.stringify(attempt.errors)}`);
      }
    })();
    await createVersion(capped, model.id, '1.1.0');
    await later.until(statusTo('DRAFT'));
    expect(closes).toEqual([]);
  } finally {
    await client.dispose();
    await capped.stop();
  }
});
