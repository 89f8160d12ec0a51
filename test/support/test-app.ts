import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { buildSubgraph } from '../../src/graphql/schema';
import { startApp, type RunningApp } from '../../src/http/app';
import { createDataSource } from '../../src/persistence/data-source';
import { issueToken } from '../../src/services/auth-tokens';
import { createServices, type Services } from '../../src/services/services';
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
  token(role: Role, subject?: string): Promise<string>;
  /** POSTs a GraphQL operation; `as` picks the role of the bearer token (default editor), `null` sends none. */
  gql<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any -- see GraphQLResponse
    query: string,
    variables?: Record<string, unknown>,
    options?: { as?: Role | null; token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export function requireTestDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is unset: run the tests through jest (npm test), whose global setup starts PostgreSQL');
  return url;
}

/** The real subgraph on a free port, over a real PostgreSQL database created for this run. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: requireTestDatabaseUrl(), PORT: '0', ...env });
  const queries = new QueryCounter();
  const dataSource = createDataSource({ url: requireTestDatabaseUrl(), logger: queries, poolSize: 5 });
  await dataSource.initialize();
  const services = createServices(dataSource);
  const app = await startApp({ config, services, subgraph: await buildSubgraph(), log: pino({ level: 'silent' }) });
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
    token,
    async gql(query, variables = {}, options = {}) {
      const role = options.as === undefined ? Role.EDITOR : options.as;
      const bearer = options.token ?? (role ? await token(role) : undefined);
      const response = await fetch(app.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    async stop() {
      await app.stop();
      await dataSource.destroy();
    },
  };
}

export function uniqueName(prefix = 'model'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
