import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import type { RunningApp } from '../../src/http/app';
import { serveSubgraph } from '../../src/http/serve';
import { createDataSource } from '../../src/persistence/data-source';
import type { Runtime } from '../../src/runtime';
import { issueToken } from '../../src/services/auth-tokens';
import { createServices, type Services } from '../../src/services/services';
import { createArtifactStore } from '../../src/storage/create-artifact-store';
import { TemporalGateway } from '../../src/temporal/temporal-gateway';
import { type RunningWorker, startWorker } from '../../src/worker-runner';
import { QueryCounter } from './query-counter';

export interface GraphQLResponse<T = Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are inspected field by field
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  readonly app: RunningApp;
  readonly config: Config;
  readonly services: Services;
  readonly dataSource: DataSource;
  readonly queries: QueryCounter;
  /** A scratch folder for this app: artifacts, staging, cache and the DISK import root live under it. */
  readonly dir: string;
  readonly runtime: Runtime;
  /** The environment the app's config was loaded from (give it to a child worker process). */
  readonly env: Record<string, string>;
  token(role: Role, subject?: string): Promise<string>;
  /** POSTs a GraphQL operation; `as` picks the role of the bearer token (default editor), `null` sends none. */
  gql<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any -- see GraphQLResponse
    query: string,
    variables?: Record<string, unknown>,
    options?: { as?: Role | null; token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  startWorker(): Promise<RunningWorker>;
  stop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the tests through jest (npm test), whose global setup starts the services`);
  return value;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Run an in-process Temporal worker on this app's own task queue. */
  worker?: boolean;
  /** Another PostgreSQL database or Temporal server than the run's (tests that stop and restart them). */
  databaseUrl?: string;
  temporalAddress?: string;
}

/** The real subgraph on a free port, over the run's PostgreSQL database and Temporal dev server. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-test-'));
  const databaseUrl = options.databaseUrl ?? required('TEST_DATABASE_URL');
  const env: Record<string, string> = {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      TEMPORAL_ADDRESS: options.temporalAddress ?? required('TEST_TEMPORAL_ADDRESS'),
      // Each test file gets its own queue, so its worker never runs another file's workflows.
      TEMPORAL_TASK_QUEUE: `modelhub-test-${randomBytes(4).toString('hex')}`,
      ARTIFACT_DIR: path.join(dir, 'artifacts'),
      STAGING_DIR: path.join(dir, 'staging'),
      CACHE_DIR: path.join(dir, 'cache'),
      DISK_IMPORT_ROOTS: path.join(dir, 'imports'),
      // The run's clamd (global setup); a test turns ClamAV off with CLAMD_HOST and CLAMD_PORT set to ''.
      ...(process.env.TEST_CLAMD_PORT ? { CLAMD_HOST: '127.0.0.1', CLAMD_PORT: process.env.TEST_CLAMD_PORT } : {}),
      // The tests' own file servers listen on loopback; the SSRF tests override this with an empty list.
      URL_IMPORT_ALLOW: '127.0.0.1,::1,localhost',
      ...options.env,
  };
  const config = loadConfig(env, dir);
  const log = pino({ level: 'silent' });
  const queries = new QueryCounter();
  const dataSource = createDataSource({ url: databaseUrl, logger: queries, poolSize: 5 });
  await dataSource.initialize();
  const gateway = await TemporalGateway.connect(config.temporal.address!, config.temporal);
  const services = createServices(dataSource, { config, store: createArtifactStore(config.artifacts), workflows: gateway });
  const runtime: Runtime = {
    config,
    database: { dataSource, url: databaseUrl, close: () => dataSource.destroy() },
    temporalAddress: config.temporal.address!,
    services,
    close: async () => {
      await gateway.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
  const workers: RunningWorker[] = [];
  const launchWorker = async () => {
    const worker = await startWorker(runtime, log, process.env.TEST_WORKFLOW_BUNDLE);
    workers.push(worker);
    return worker;
  };
  if (options.worker) await launchWorker();
  const app = await serveSubgraph(runtime, log);
  const tokens = new Map<string, string>();
  const token = async (role: Role, subject = `${role}-user`) => {
    const key = `${role}:${subject}`;
    if (!tokens.has(key)) tokens.set(key, await issueToken(config.auth, subject, [role]));
    return tokens.get(key) as string;
  };
  return {
    app,
    config,
    services,
    dataSource,
    queries,
    dir,
    runtime,
    env,
    token,
    startWorker: launchWorker,
    async gql(query, variables = {}, opts = {}) {
      const role = opts.as === undefined ? Role.EDITOR : opts.as;
      const bearer = opts.token ?? (role ? await token(role) : undefined);
      const response = await fetch(app.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    async stop() {
      await app.stop();
      for (const worker of workers) await worker.stop();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function uniqueName(prefix = 'model'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
