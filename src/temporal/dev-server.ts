import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';

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
  log?: (line: string) => void;
}

export const INSTALL_HINT =
  'Install the Temporal CLI: `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` (puts it in ~/go/bin), ' +
  'or set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running server.';

/** The `temporal` executable: TEMPORAL_CLI_PATH, then PATH, then Go's default bin folder. */
export function findTemporalCli(explicit: string | null): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'temporal')),
    path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin', 'temporal'),
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
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

/** Starts `temporal server start-dev` on loopback and waits until its frontend answers. */
export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = findTemporalCli(options.cliPath);
  if (!cli) throw new Error(`No Temporal CLI found. ${INSTALL_HINT}`);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => options.log?.(chunk.toString('utf8').trim());
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(address, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: options.headless ? null : `http://127.0.0.1:${options.uiPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
