import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { describeProcess, isOrphan, listenerOnPort, stopProcess } from '../system/process-probe';
import { ensureTemporalCli, findTemporalCli, INSTALL_HINT } from './temporal-cli';
import { stopChild } from '../system/child-stop';
import { helperEnv } from '../system/helper-env';

export { findTemporalCli, INSTALL_HINT } from './temporal-cli';

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | null;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string | null;
  port: number;
  uiPort: number;
  /** Unset keeps history in memory (tests); set keeps workflows across restarts (npm run dev). */
  dbFile?: string;
  headless?: boolean;
  /** Where a missing CLI is built (TOOLS_DIR); unset: never build, only look. */
  toolsDir?: string;
  log?: (line: string) => void;
  /** Said at the default level: recovery from a killed run, building the CLI. */
  notice?: (line: string) => void;
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * A port held by a dev server an earlier, killed run of ours started (same port and same history file, and its
 * parent is gone) is freed by stopping that server; anything else on the port is named in the error.
 */
async function freePort(port: number, what: string, options: DevServerOptions): Promise<void> {
  const holder = await listenerOnPort(port);
  if (!holder) return;
  const dbFlag = holder.args.indexOf('--db-filename');
  const ours =
    holder.args.includes('start-dev') &&
    options.dbFile !== undefined &&
    dbFlag >= 0 &&
    path.resolve(holder.args[dbFlag + 1] ?? '') === path.resolve(options.dbFile);
  if (ours && (await isOrphan(holder))) {
    options.notice?.(`stopping an orphaned Temporal dev server left by an earlier run on port ${port}: ${describeProcess(holder)}`);
    await stopProcess(holder.pid, 'SIGTERM', 10_000);
    return;
  }
  throw new Error(
    `The Temporal dev server's ${what} port ${port} is in use by ${describeProcess(holder)}. Stop that process, ` +
      `or set TEMPORAL_DEV_PORT / TEMPORAL_DEV_UI_PORT to free ports, or TEMPORAL_ADDRESS=127.0.0.1:${port} if it is a Temporal server to use.`,
  );
}

/** Starts `temporal server start-dev` on loopback and waits until its frontend answers. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = options.toolsDir
    ? await ensureTemporalCli(options.cliPath, options.toolsDir, (line) => (options.notice ?? options.log)?.(line))
    : findTemporalCli(options.cliPath);
  if (!cli) throw new Error(`No Temporal CLI found. ${INSTALL_HINT}`);
  await freePort(options.port, 'frontend', options);
  if (!options.headless) await freePort(options.uiPort, 'UI', options);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  // Its own process group: a Ctrl-C in the terminal reaches this process only, which stops the server last.
  const child = spawn(cli, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: helperEnv() });
  let output = '';
  const forward = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-4000);
    options.log?.(text.trim());
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  // A crash of this process (process.exit on a deadline, an uncaught error) must not orphan the server.
  const onExit = () => child.kill('SIGTERM');
  process.on('exit', onExit);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(address, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', onExit);
    throw new Error(`${(error as Error).message}${output ? `; its output: ${output.trim().slice(-1000)}` : ''}`);
  }
  return {
    address,
    uiUrl: options.headless ? null : `http://127.0.0.1:${options.uiPort}`,
    stop: () => stopChild(child, onExit),
  };
}
