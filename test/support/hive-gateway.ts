import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'graphql';
import { freePort } from './free-port';

export const HIVE_GATEWAY_INSTALL_HINT =
  'Hive Gateway is needed for the gateway tests: run "npm ci" (devDependencies @graphql-hive/gateway ~2.15, ' +
  '@graphql-mesh/transport-ws and @theguild/federation-composition)';

export interface HiveGateway {
  /** http://127.0.0.1:<port>/graphql — also the graphql-ws and SSE endpoint. */
  readonly url: string;
  /** What the gateway printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The configuration the README documents: the client's Authorization header goes to the subgraph over HTTP,
 * and over WebSocket transport the client's token fills the subgraph's connection_init. The
 * `context.headers` fallback covers operations the client itself sent over a WebSocket (they have no request).
 */
export function gatewayConfigSource(supergraphPath: string): string {
  return `export const gatewayConfig = {
  supergraph: ${JSON.stringify(supergraphPath)},
  propagateHeaders: {
    fromClientToSubgraphs({ request, context }) {
      return { authorization: request?.headers.get('authorization') ?? context?.headers?.authorization ?? undefined };
    },
  },
  transportEntries: {
    modelhub: {
      options: {
        subscriptions: {
          kind: 'ws',
          location: '/graphql',
          options: { connectionParams: { authorization: '{context.headers.authorization}' } },
        },
      },
    },
  },
};
`;
}

function resolveOrExplain(request: string): string {
  try {
    return require.resolve(request);
  } catch {
    throw new Error(`${HIVE_GATEWAY_INSTALL_HINT} (cannot resolve ${request})`);
  }
}

/** The printed subgraph SDL composed into a supergraph with @theguild/federation-composition. */
export function composeSupergraph(sdl: string, subgraphUrl: string): string {
  // Loaded as CommonJS: jest runs without VM-module support, so import() of an ES module fails here.
  const load = createRequire(__filename);
  const { composeServices } = load(resolveOrExplain('@theguild/federation-composition')) as typeof import('@theguild/federation-composition');
  const result = composeServices([{ name: 'modelhub', typeDefs: parse(sdl), url: subgraphUrl }]);
  if (result.errors?.length) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  if (!result.supergraphSdl) throw new Error('composition produced no supergraph');
  return result.supergraphSdl;
}

function gatewayBin(): string {
  const pkgPath = resolveOrExplain('@graphql-hive/gateway/package.json');
  resolveOrExplain('@graphql-mesh/transport-ws');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['hive-gateway'];
  return path.resolve(path.dirname(pkgPath), bin);
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Hive Gateway exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url.replace(/\/graphql$/, '/readiness'));
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Hive Gateway was not ready within ${timeoutMs} ms:\n${output()}`);
}

/** Hive Gateway as a child process on loopback, serving the supergraph of ModelHub at `subgraphUrl`. */
export async function startHiveGateway(sdl: string, subgraphUrl: string): Promise<HiveGateway> {
  const bin = gatewayBin();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-hive-'));
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  const configPath = path.join(dir, 'gateway.config.mjs');
  await writeFile(supergraphPath, composeSupergraph(sdl, subgraphUrl));
  await writeFile(configPath, gatewayConfigSource(supergraphPath));
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'supergraph', supergraphPath, '-c', configPath, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const url = `http://127.0.0.1:${port}/graphql`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => log, stop };
}
