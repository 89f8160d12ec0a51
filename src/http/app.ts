import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/config';
import { createTokenVerifier } from '../services/auth-tokens';
import type { Services } from '../services/services';
import { authenticate } from '../graphql/auth';
import { createContext, type GraphQLContext } from '../graphql/context';
import { formatError, isClientError } from '../graphql/errors';
import type { EventBus } from '../graphql/pubsub';
import type { Subgraph } from '../graphql/schema';

export interface AppDeps {
  config: Config;
  services: Services;
  subgraph: Subgraph;
  events: EventBus;
  log: Logger;
}

export interface RunningApp {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Unexpected errors are logged once, with the request id the client got in `x-request-id`. */
function errorLoggingPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isClientError(error)) continue;
            contextValue.log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}

/** HTTP and graphql-ws on one port, at /graphql, plus /health. */
export async function startApp({ config, services, subgraph, events, log }: AppDeps, port = config.port): Promise<RunningApp> {
  const verifier = createTokenVerifier(config.auth);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const contextFor = async (authorization: unknown, requestId: string): Promise<GraphQLContext> =>
    createContext({
      requestId,
      ...(await authenticate(verifier, authorization)),
      services,
      log: log.child({ requestId }),
      limits: config.limits,
      events,
    });

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema: subgraph.schema,
      // Every connection is accepted and each operation is authenticated on its own, as over HTTP: a bad or
      // expired token gets UNAUTHENTICATED results with the reason. Closing the socket (4403) instead makes
      // gateways reconnect and retry (Hive Gateway: six times, about 42 s) and then show no message at all.
      context: (ctx) =>
        contextFor(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization, randomUUID()),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((e: GraphQLError) => formatError(e.toJSON(), e)) }
          : undefined,
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema: subgraph.schema,
    formatError,
    logger: log,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      errorLoggingPlugin(),
    ],
  });
  await apollo.start();

  app.get('/health', async (_req, res) => {
    const health = await services.health.check();
    res.status(health.ok ? 200 : 503).json({ status: health.ok ? 'ok' : 'unavailable', checks: health.checks });
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const incoming = req.header('x-request-id');
        const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', requestId);
        return contextFor(req.header('authorization'), requestId);
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, config.host, () => resolve());
  });
  const bound = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${bound}/graphql`;
  log.info({ url }, 'subgraph listening');
  return {
    url,
    port: bound,
    stop: () => apollo.stop(),
  };
}
