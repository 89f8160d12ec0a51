import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * What an attacker (or a confused client) sends the hub API in URLs and bodies: NUL characters, double and broken
 * escapes. Each is a clear 4xx with the hub's error headers, never an internal error, and nothing is written.
 */

/** The API's HTTP_IDLE_TIMEOUT_MS here: short enough to test, long enough for a loaded machine's timer delays. */
const IDLE_MS = 4000;
let t: TestApp;
let auth: Record<string, string>;
const project = `hostile-${randomBytes(3).toString('hex')}`;
const name = uniqueName('hostile');

beforeAll(async () => {
  // A short idle limit, so the stalled upload below is cut in seconds (the default is 120 s).
  t = await startTestApp({ env: { HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS) } });
  auth = { authorization: `Bearer hf_${await issueToken(t.config.auth, 'hostile-pusher', [], 3600, new Map([[project, [Role.EDITOR]]]))}` };
  const created = await fetch(`${hub()}/api/repos/create`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name, organization: project }) });
  expect(created.status).toBe(200);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const hub = () => `http://127.0.0.1:${t.app.port}/hf`;

async function answer(path: string, init: RequestInit = {}): Promise<[number, string | null]> {
  const res = await fetch(`${hub()}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  await res.arrayBuffer();
  return [res.status, res.headers.get('x-error-code')];
}

test('NUL in a repository name, a revision or a listing query, and escapes that do not decode, are 4xx, not internal errors', async () => {
  const repo = `${project}/${name}`;
  const cases: [string, RequestInit, [number, string]][] = [
    [`/api/models/${project}%00/${name}`, {}, [404, 'RepoNotFound']],
    [`/api/models/${project}/${name}%00/refs`, {}, [404, 'RepoNotFound']],
    [`/${project}%00/${name}/resolve/main/config.json`, {}, [404, 'RepoNotFound']],
    [`/api/models/${repo}/revision/ma%00in`, {}, [404, 'RevisionNotFound']],
    // Read routes decode a revision once more (clients that quote twice): %2500 is NUL then, %25E0 no escape at all.
    [`/${repo}/resolve/%2500/config.json`, {}, [404, 'RevisionNotFound']],
    [`/api/models/${repo}/revision/%25E0`, {}, [404, 'RevisionNotFound']],
    [`/api/models/${repo}/commits/ma%00in`, {}, [404, 'RevisionNotFound']],
    [`/api/models/${repo}/preupload/1.0.0%00`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"files":[]}' }, [404, 'RevisionNotFound']],
    [`/api/models/${repo}/branch/2.0.0`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"startingPoint":"ma\\u0000in"}' }, [404, 'RevisionNotFound']],
    ['/api/models?search=%00', {}, [400, 'BAD_USER_INPUT']],
    [`/api/models?author=${project}%00`, {}, [400, 'BAD_USER_INPUT']],
    ['/api/models?cursor=AA', {}, [400, 'BAD_USER_INPUT']],
  ];
  for (const [path, init, expected] of cases) expect([path, await answer(path, init)]).toEqual([path, expected]);
  const listed = await fetch(`${hub()}/api/models?author=${project}`, { headers: auth });
  expect([listed.status, ((await listed.json()) as { id: string }[]).map((m) => m.id)]).toEqual([200, [repo]]);
});

test('a commit whose message holds NUL is a 400 naming the field; no version is written', async () => {
  const commit = (header: Record<string, string>) =>
    fetch(`${hub()}/api/models/${project}/${name}/commit/main`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ key: 'header', value: header })}\n${JSON.stringify({ key: 'file', value: { path: 'a.txt', content: 'YQ==' } })}\n`,
    });
  for (const [header, field] of [
    [{ summary: 'first\u0000push' }, 'line 1 summary'],
    [{ summary: 'first push', description: 'with\u0000NUL' }, 'line 1 description'],
  ] as const) {
    const res = await commit(header);
    expect([res.status, res.headers.get('x-error-code'), ((await res.json()) as { error: string }).error]).toEqual([400, 'BAD_USER_INPUT', `${field}: must not contain control characters (U+0000 at position ${field.endsWith('summary') ? 5 : 4})`]);
  }
  const [{ n }] = (await t.dataSource.query('SELECT count(*)::int AS n FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = $1', [name])) as { n: number }[];
  expect(n).toBe(0);
});

/** An LFS upload URL for these bytes, from the batch. */
async function ticketFor(bytes: Buffer): Promise<{ oid: string; href: string }> {
  const oid = createHash('sha256').update(bytes).digest('hex');
  const res = await fetch(`${hub()}/${project}/${name}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/vnd.git-lfs+json' },
    body: JSON.stringify({ operation: 'upload', transfers: ['basic'], objects: [{ oid, size: bytes.length }] }),
  });
  const [object] = ((await res.json()) as { objects: { actions: { upload: { href: string } } }[] }).objects;
  return { oid, href: object.actions.upload.href };
}

/** PUTs `chunks` one every `everyMs`, then waits for the answer or for the server to close the connection. */
function trickle(href: string, total: number, chunks: Buffer[], everyMs: number): Promise<{ status: number | null; closedAfterMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const url = new URL(href);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers: { 'content-length': String(total) } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? null, closedAfterMs: Date.now() - started }));
    });
    req.on('error', () => resolve({ status: null, closedAfterMs: Date.now() - started }));
    const send = (i: number) => {
      if (i >= chunks.length || req.destroyed) return;
      req.write(chunks[i]);
      setTimeout(() => send(i + 1), everyMs);
    };
    send(0);
  });
}

test('an LFS upload may take longer than any fixed limit while bytes keep coming; one that stalls is cut after HTTP_IDLE_TIMEOUT_MS and stores nothing', async () => {
  // 24 chunks 400 ms apart: 9.6 s in all, over twice the idle limit, never silent for as long as it (an event-loop
  // stall of a loaded machine up to 3.6 s long is tolerated: at a 1.5 s limit one cut a steady upload in CI).
  const slow = randomBytes(96 * 1024);
  const steady = await ticketFor(slow);
  const chunks = Array.from({ length: 24 }, (_, i) => slow.subarray(i * 4096, (i + 1) * 4096));
  const done = await trickle(steady.href, slow.length, chunks, 400);
  expect(done.status).toBe(200);
  expect(done.closedAfterMs).toBeGreaterThan(2 * IDLE_MS);
  expect(await t.services.stores.defaultStore.store.has(steady.oid)).toBe(true);

  // Half the bytes, then silence: before, the connection stayed open until Node's 300 s request timeout.
  const stalled = randomBytes(64 * 1024);
  const stuck = await ticketFor(stalled);
  const cut = await Promise.race([
    trickle(stuck.href, stalled.length, [stalled.subarray(0, 32 * 1024)], 0),
    new Promise<{ status: null; closedAfterMs: number }>((resolve) => setTimeout(() => resolve({ status: null, closedAfterMs: Infinity }), 4 * IDLE_MS)),
  ]);
  expect(cut.closedAfterMs).toBeGreaterThanOrEqual(IDLE_MS - 100);
  expect(cut.closedAfterMs).toBeLessThan(4 * IDLE_MS);
  expect(await t.services.stores.defaultStore.store.has(stuck.oid)).toBe(false);
  const [{ n }] = (await t.dataSource.query('SELECT count(*)::int AS n FROM hub_lfs_objects WHERE oid = $1 AND stored_at IS NOT NULL', [stuck.oid])) as { n: number }[];
  expect(n).toBe(0);
  const listed = await fetch(`${hub()}/api/models?author=${project}`, { headers: auth });
  expect(listed.status).toBe(200);
}, 90_000);

test('a WebSocket stays open through silences longer than HTTP_IDLE_TIMEOUT_MS (the idle limit is for HTTP requests)', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${t.app.port}/graphql`, 'graphql-transport-ws');
  const messages: { type: string; id?: string }[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as { type: string; id?: string }));
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await t.token(Role.VIEWER)}` } }));
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1500));
  expect(ws.readyState).toBe(WebSocket.OPEN);
  ws.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ licenses { id } }' } }));
  for (const deadline = Date.now() + 5000; !messages.some((m) => m.id === 'q' && m.type === 'complete') && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(messages.filter((m) => m.id === 'q').map((m) => m.type)).toEqual(['next', 'complete']);
  ws.close();
});
