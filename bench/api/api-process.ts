import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  /** Lines the process wrote to stderr (last 50), for the error message when it dies. */
  readonly stderrTail: string[];
  /** The database it stores into, when it is not the bench's own (MLflow's). */
  readonly database?: string;
  stop(): Promise<void>;
}

/** Polls `probe` until it answers true, the process exits, or `timeoutMs` passes. */
export async function waitUntil(child: ChildProcess, what: string, probe: () => Promise<boolean>, timeoutMs: number, tail: string[]) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${tail.join('\n')}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not answer within ${timeoutMs} ms:\n${tail.join('\n')}`);
}

export function keepTail(child: ChildProcess, tail: string[]): void {
  const push = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) tail.push(line);
    tail.splice(0, Math.max(0, tail.length - 50));
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The node flags of `npm start` (package.json's `start`: `node <flags> dist/src/main.js`), the ones the image's CMD
 * and the Helm chart's API command carry too (test/unit/config/api-start-flags.test.ts keeps them equal): the bench
 * starts the API with exactly these, never with settings of its own.
 */
export function apiStartFlags(): string[] {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = path.dirname(dir);
  }
  const start = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/src/main.js') throw new Error(`package.json's start is not "node <flags> dist/src/main.js": ${start}`);
  return words.slice(1, -1);
}

/**
 * The environment mode the image (Dockerfile `ENV NODE_ENV=production`) and the Helm chart run the API in, which the
 * bench gives it too: without it the API inherits the bench's environment and graphql-js runs in development mode (its
 * cross-realm `instanceOf` check on every type test: 2.6–2.8 % of the API's CPU on the tag page, PROFILES of issue 20).
 */
export const API_NODE_ENV = 'production';

/**
 * The API as users run it (`npm start`: `node <its flags> dist/src/main.js`, in the image's NODE_ENV) on `databaseUrl`, loopback only, with its own artifact
 * folders in a temporary directory, as `processes` API processes (API_PROCESSES; the bench passes the core count, as
 * MLflow gets `--workers <cores>`). `cpuProfDir` turns on V8's CPU profiler (written on exit, one file per process).
 */
export async function startApi(options: { databaseUrl: string; jwtSecret: string; cpuProfDir: string | null; processes: number }): Promise<ServerProcess> {
  const port = await freePort();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-bench-api-'));
  const main = path.resolve(__dirname, '../../src/main.js');
  // BENCH_API_NODE_ARGS (e.g. "--trace-gc") reaches the API's node only, for profiling runs.
  const extra = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const nodeArgs = [...apiStartFlags(), ...extra, ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [])];
  // Without TEMPORAL_ADDRESS the API starts its own Temporal dev server: on free ports, in the scratch folder.
  const temporal = process.env.TEMPORAL_ADDRESS
    ? {}
    : { TEMPORAL_DEV_PORT: String(await freePort()), TEMPORAL_DEV_UI_PORT: String(await freePort()), TEMPORAL_DEV_DB: path.join(scratch, 'temporal.db') };
  const child = spawn(process.execPath, [...nodeArgs, main], {
    env: {
      ...process.env,
      ...temporal,
      NODE_ENV: API_NODE_ENV,
      DATABASE_URL: options.databaseUrl,
      API_PROCESSES: String(options.processes),
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: options.jwtSecret,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ARTIFACT_DIR: path.join(scratch, 'artifacts'),
      STAGING_DIR: path.join(scratch, 'staging'),
      CACHE_DIR: path.join(scratch, 'cache'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  keepTail(child, tail);
  if (process.env.BENCH_API_OUTPUT) child.stdout.pipe(createWriteStream(process.env.BENCH_API_OUTPUT));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(child, 'the API', async () => (await fetch(`${url}/health`)).ok, 120_000, tail);
  } catch (error) {
    await stopChild(child);
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  return {
    pid: child.pid!,
    url,
    stderrTail: tail,
    async stop() {
      await stopChild(child, 30_000);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
