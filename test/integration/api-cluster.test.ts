import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { issueToken } from '../../src/services/auth-tokens';
import { loadConfig } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { type EntryProcess, startEntry } from '../support/entry-process';
import { freePort } from '../support/free-port';

/**
 * API_PROCESSES=2: `npm start`'s entry (src/main.ts) as a node:cluster primary with two API processes on one port.
 * Which process holds a connection is read from the OS (the socket's inode in /proc/net/tcp, then which child's fd
 * points at it), never from anything the API answers: two processes serve, a subscriber on one hears a mutation
 * served by the other, /metrics sums both, a SIGKILLed process is replaced, and SIGTERM ends all with exit 0.
 */

const run = promisify(execFile);
const SUBJECT = 'api-cluster-test-editor';
let env: Record<string, string>;
let port: number;
let primary: EntryProcess;

async function children(): Promise<number[]> {
  const { stdout } = await run('ps', ['--ppid', String(primary.child.pid), '-o', 'pid=,comm=']).catch(() => ({ stdout: '' }));
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'node')
    .map(([pid]) => Number(pid))
    .sort();
}

/** The inode of the server side of the loopback connection from `clientPort` to the API's port. */
function serverSocketInode(clientPort: number): string | null {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const local = parseInt(fields[1].split(':').at(-1)!, 16);
      const remote = parseInt(fields[2].split(':').at(-1)!, 16);
      if (local === port && remote === clientPort) return fields[9];
    }
  }
  return null;
}

/** Which of `pids` holds the server side of the connection from `clientPort`. */
async function ownerOf(clientPort: number, pids: number[]): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const inode = serverSocketInode(clientPort);
    const owners = inode
      ? pids.filter((pid) => {
          try {
            return readdirSync(`/proc/${pid}/fd`).some((fd) => {
              try {
                return readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
              } catch {
                return false;
              }
            });
          } catch {
            return false;
          }
        })
      : [];
    if (owners.length === 1) return owners[0];
    if (Date.now() > deadline) throw new Error(`no single owner among ${pids} of the connection from port ${clientPort} (inode ${inode}, owners ${owners})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One kept-alive connection: every request goes over the same socket, so it is served by the same process. */
function connection() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let localPort = 0;
  const request = (method: string, path: string, body?: unknown, token?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } },
        (res) => {
          const local = res.socket.localPort ?? 0;
          if (localPort && local !== localPort) reject(new Error(`the kept-alive connection was replaced (${localPort} → ${local})`));
          localPort = local;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  return {
    request,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are inspected field by field
    async gql(query: string, variables: Record<string, unknown>, token: string): Promise<{ data?: any; errors?: { message: string }[] }> {
      const res = await request('POST', '/graphql', { query, variables }, token);
      return JSON.parse(res.text);
    },
    get localPort() {
      return localPort;
    },
    close: () => agent.destroy(),
  };
}

function sampleCount(metricsText: string, operation: string): number {
  const line = metricsText.split('\n').find((l) => l.startsWith(`modelhub_graphql_request_duration_seconds_count{operation="${operation}",code="OK"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  port = await freePort();
  env = {
    NODE_ENV: 'development',
    API_PROCESSES: '2',
    PORT: String(port),
    DATABASE_URL: process.env.TEST_DATABASE_URL as string,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS as string,
    TEMPORAL_TASK_QUEUE: `modelhub-cluster-${randomBytes(4).toString('hex')}`,
  };
  primary = startEntry('src/main.ts', env);
  await primary.waitFor(/2 API processes listening/, 180_000);
}, 200_000);

afterAll(async () => {
  for (const pid of primary ? await children() : []) process.kill(pid, 'SIGKILL');
  primary?.child.kill('SIGKILL');
});

test('two API processes share the port: both serve, events cross them, /metrics sums them, a killed one is replaced, SIGTERM ends all with 0', async () => {
  const config = loadConfig(env);
  const editor = await issueToken(config.auth, SUBJECT, [Role.EDITOR]);
  const workers = await children();
  expect(workers).toHaveLength(2);

  // New connections are handed round-robin: both processes answer requests.
  const conns = Array.from({ length: 6 }, () => connection());
  const owners = new Map<ReturnType<typeof connection>, number>();
  for (const conn of conns) {
    expect((await conn.request('GET', '/health')).status).toBe(200);
    owners.set(conn, await ownerOf(conn.localPort, workers));
  }
  expect(new Set(owners.values())).toEqual(new Set(workers));

  // A subscriber on one process hears a mutation served by the other (each process LISTENs for the NOTIFY).
  const registered = await conns[0].gql(`mutation($n: String!) { registerModel(input: { name: $n, sourceType: CUSTOM }) { id } }`, { n: `cluster-${randomBytes(4).toString('hex')}` }, editor);
  expect(registered.errors).toBeUndefined();
  const modelId = registered.data.registerModel.id as string;
  let wsPort = 0;
  class PortWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('upgrade', (res) => (wsPort = res.socket.localPort ?? 0));
    }
  }
  const client = createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: PortWebSocket, connectionParams: { authorization: `Bearer ${editor}` }, retryAttempts: 0 });
  const events: { type: string; audit: { action: string; actor: string } | null }[] = [];
  let acknowledged = false;
  let updates = 0;
  client.on('connected', () => (acknowledged = true));
  client.subscribe<{ modelEvents: (typeof events)[number] }>(
    { query: `subscription($m: ID!) { modelEvents(modelId: $m) { type audit { action actor } } }`, variables: { m: modelId } },
    { next: (value) => value.data && events.push(value.data.modelEvents), error: () => undefined, complete: () => undefined },
  );
  try {
    const acked = Date.now() + 30_000;
    while (!acknowledged && Date.now() < acked) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(acknowledged).toBe(true);
    const subscriberPid = await ownerOf(wsPort, workers);
    const other = conns.find((conn) => owners.get(conn) !== subscriberPid)!;
    // The subscribe message has no acknowledgement: update until the subscriber hears one (each update served by `other`).
    const heard = Date.now() + 30_000;
    while (!events.some((e) => e.audit?.action === 'model.updated') && Date.now() < heard) {
      const updated = await other.gql(`mutation($id: ID!, $d: String!) { updateModel(id: $id, input: { description: $d }) { id } }`, { id: modelId, d: `served by the other process (${updates})` }, editor);
      updates += 1;
      expect(updated.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await ownerOf(other.localPort, workers)).not.toBe(subscriberPid);
    expect(events).toEqual(expect.arrayContaining([{ type: 'AUDIT', audit: { action: 'model.updated', actor: SUBJECT } }]));
  } finally {
    await client.dispose();
  }

  // /metrics, whichever process answers it, is the sum over both.
  for (const pid of workers) {
    const conn = conns.find((c) => owners.get(c) === pid)!;
    const res = await conn.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(sampleCount(res.text, 'mutation registerModel')).toBe(1);
    expect(sampleCount(res.text, 'mutation updateModel')).toBe(updates);
  }
  for (const conn of conns) conn.close();

  // SIGKILL one: the other keeps answering, and the primary starts a replacement that serves too.
  const [victim, survivor] = workers;
  process.kill(victim, 'SIGKILL');
  await primary.waitFor(/exited unexpectedly/, 30_000);
  const health = connection();
  expect((await health.request('GET', '/health')).status).toBe(200);
  expect(await ownerOf(health.localPort, [victim, survivor])).toBe(survivor);
  health.close();
  const replaced = Date.now() + 120_000;
  let now = await children();
  while (!(now.length === 2 && !now.includes(victim) && now.includes(survivor)) && Date.now() < replaced) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    now = await children();
  }
  expect(now).toHaveLength(2);
  const replacement = now.find((pid) => pid !== survivor)!;
  const listening = Date.now() + 120_000;
  while (primary.output().split(/2 API processes listening/).length < 3 && Date.now() < listening) await new Promise((resolve) => setTimeout(resolve, 200));
  const served = new Set<number>();
  for (let i = 0; i < 6 && served.size < 2; i++) {
    const conn = connection();
    expect((await conn.request('GET', '/health')).status).toBe(200);
    served.add(await ownerOf(conn.localPort, now));
    conn.close();
  }
  expect(served).toEqual(new Set([survivor, replacement]));

  // SIGTERM to the primary: every process drains and exits, the primary with 0.
  primary.child.kill('SIGTERM');
  const exit = await Promise.race([primary.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000).unref())]);
  expect(exit).toMatchObject({ code: 0, signal: null });
  const alive = now.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
}, 400_000);

test('API processes that keep dying before they listen (the port is taken) end the primary with exit 1, none left behind', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
  const busyPort = (taken.address() as net.AddressInfo).port;
  const failing = startEntry('src/main.ts', { ...env, PORT: String(busyPort) });
  try {
    const exit = await Promise.race([failing.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 240_000).unref())]);
    expect({ exit, said: /keep exiting before they listen \(5 in a row\)/.test(failing.output()) }).toEqual({ exit: expect.objectContaining({ code: 1 }), said: true });
    const { stdout } = await run('ps', ['--ppid', String(failing.child.pid), '-o', 'pid=']).catch(() => ({ stdout: '' }));
    expect(stdout.trim()).toBe('');
  } finally {
    failing.child.kill('SIGKILL');
    taken.close();
  }
}, 300_000);
