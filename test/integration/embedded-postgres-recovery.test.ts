import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { serveSubgraph } from '../../src/http/serve';
import { type EmbeddedPostgres, type PostgresEvent, startEmbeddedPostgres } from '../../src/persistence/embedded-postgres';
import { openRuntime } from '../../src/runtime';
import { issueToken } from '../../src/services/auth-tokens';
import { processAlive } from '../../src/system/process-probe';
import { startEntry } from '../support/entry-process';
import { freePort } from '../support/free-port';

// A PostgreSQL of this file's own, in a temp folder on its own port: these tests kill it.
let root: string;
let dataDir: string;
let port: number;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modelhub-pg-recovery-'));
  await chmod(root, 0o755); // as root, the server runs as the `postgres` user and must reach its folder
  dataDir = path.join(root, 'pg');
  port = await freePort();
  const first = await startEmbeddedPostgres({ dataDir, port, database: 'postgres' }); // initdb once for the file
  await first.stop();
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function postmasterPid(): Promise<number> {
  return Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Date.now() - started;
}

test('after kill -9 of a dev-like process, the next start stops its orphaned PostgreSQL and starts cleanly', async () => {
  const env = { DATABASE_URL: '', EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(port) };
  const dev = startEntry('test/support/embedded-pg-child.ts', env);
  await dev.waitFor(/^ready /);
  const orphan = await postmasterPid();
  dev.child.kill('SIGKILL');
  await dev.exited;
  expect(processAlive(orphan)).toBe(true); // the crash left PostgreSQL running, holding the folder and the port

  const events: PostgresEvent[] = [];
  const again = await startEmbeddedPostgres({ dataDir, port, database: 'modelhub', onEvent: (e) => events.push(e) });
  try {
    expect(events).toEqual([{ kind: 'recovered', detail: expect.stringContaining(`stopped an orphaned PostgreSQL left by an earlier run: pid ${orphan}`) }]);
    expect(processAlive(orphan)).toBe(false);
    expect(await answers(again.url)).toBe(true);
  } finally {
    await again.stop();
  }
}, 120_000);

test('a stale postmaster.pid naming a pid that is now another program is removed; one of a dead pid is left to PostgreSQL', async () => {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  // The pid of this very jest process: alive, and not a postmaster (what a reused pid looks like after a reboot).
  await writeFile(lockFile, `${process.pid}\n${dataDir}\n1700000000\n${port}\n/tmp\n127.0.0.1\n  5432001         0\nready   \n`);
  const events: PostgresEvent[] = [];
  let server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, port, database: 'postgres', onEvent: (e) => events.push(e) });
  expect(events[0]).toEqual({ kind: 'recovered', detail: expect.stringContaining(`pid ${process.pid} is now another program`) });
  expect(await answers(server.url)).toBe(true);
  const pid = await postmasterPid();
  process.kill(pid, 'SIGKILL'); // the lock file stays behind, naming a dead pid
  await server.stop();
  await waitUntil(async () => !processAlive(pid), 10_000);

  events.length = 0;
  server = await waitForStart(() => startEmbeddedPostgres({ dataDir, port, database: 'postgres', onEvent: (e) => events.push(e) }));
  try {
    expect(events[0]).toEqual({ kind: 'recovered', detail: expect.stringContaining('PostgreSQL will replace it') });
    expect(await answers(server.url)).toBe(true);
  } finally {
    await server.stop();
  }
}, 120_000);

/** Right after a SIGKILL its backends may hold shared memory for a moment: the supervisor retries, so do we. */
async function waitForStart(start: () => Promise<EmbeddedPostgres>): Promise<EmbeddedPostgres> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

test('the embedded PostgreSQL killed under a running API is restarted and the API answers again', async () => {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      EMBEDDED_PG_DIR: dataDir,
      EMBEDDED_PG_PORT: String(port),
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!,
      ARTIFACT_DIR: path.join(root, 'artifacts'),
      STAGING_DIR: path.join(root, 'staging'),
      CACHE_DIR: path.join(root, 'cache'),
    },
    root,
  );
  const runtime = await openRuntime(config, pino({ level: 'silent' }));
  const app = await serveSubgraph(runtime, pino({ level: 'silent' }));
  const token = await issueToken(config.auth, 'recovery', [Role.VIEWER]);
  const licenses = async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ licenses { id } }' }),
    }).catch(() => null);
    const body = res ? ((await res.json()) as { data?: { licenses?: unknown[] } | null }) : null;
    return (body?.data?.licenses?.length ?? 0) > 0;
  };
  try {
    expect(await licenses()).toBe(true);
    const before = await postmasterPid();
    process.kill(before, 'SIGKILL');
    await waitUntil(async () => !(await licenses()), 10_000); // down: the API answers with an error meanwhile

    const downFor = await waitUntil(licenses, 60_000);
    expect(await postmasterPid()).not.toBe(before);
    expect(runtime.database.url).toContain(`:${port}/`);
    expect(downFor).toBeLessThan(30_000);
  } finally {
    await app.stop();
    await runtime.close();
  }
}, 150_000);
