import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { createTokenVerifier } from '../services/auth-tokens';
import type { Services } from '../services/services';
import { authenticate } from '../graphql/auth';
import { createContext, type GraphQLContext } from '../graphql/context';
import { createErrorFormatter, isClientError } from '../graphql/errors';
import { createSubscriptionFanOut, type FanOutStats } from '../graphql/fan-out/subscription-fan-out';
import { stateKeyOf } from '../graphql/operation/operation-stream';
import type { EventBus } from '../graphql/pubsub';
import { noNulLiterals, nulInVariables } from '../graphql/input-guard';
import { queryLimitRules } from '../graphql/query-limits';
import type { Subgraph } from '../graphql/schema';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.plugin';
import { metrics, setQueueDepthSource } from '../observability/metrics';
import { metricsHandler } from '../observability/metrics-endpoint';
import { activeTracing } from '../observability/tracing-state';
import { benchmarkSampleRoutes } from './benchmarks/benchmark-samples.routes';
import { consoleRoutes } from './console/console.routes';
import { browserHome, explorerRoutes } from './explorer/explorer.routes';
import { filesRoutes } from './files/files.routes';
import { hfRoutes } from './hf/hf.routes';
import { hfPushRoutes } from './hf/hf-push.routes';
import { startGraphQLServers } from './graphql-servers';
import { batchGuard, jsonBody, jsonErrors, notFound } from './http-guards';
import { startWsServer } from './ws-server';

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
  /** The subscription fan-out's counters (executions, queues, re-checks). */
  subscriptions(): FanOutStats;
  stop(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/**
 * Unexpected errors are logged once, under the request id the client got in `x-request-id`; the formatter
 * then answers them masked with that id as their reference.
 */
function errorLoggingPlugin(references: WeakMap<object, string>): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isClientError(error)) continue;
            references.set(error, contextValue.requestId);
            contextValue.log.error({ err: error.originalError ?? error, path: error.path, reference: contextValue.requestId }, 'unexpected error');
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
  // Node ends a request whose body has not all arrived within requestTimeout (300 s by default) with a 408: an LFS
  // object is one PUT (a 5 GB shard at 15 MB/s takes longer), and the hub client would fail the same way on every
  // retry. Bodies are bounded by silence instead: headers within headersTimeout (60 s), then at most
  // HTTP_IDLE_TIMEOUT_MS without a byte of the body (WebSockets are upgrades, never timed this way; they ping).
  httpServer.requestTimeout = 0;
  // Only while a body is arriving: once it has (or for a request without one) the socket has no idle limit, so a
  // request the server takes long to answer (an eviction waiting on a host that is down) is never cut.
  httpServer.on('request', (req: http.IncomingMessage) => {
    const bodyless = req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;
    if (bodyless || req.complete) return;
    // The socket itself: req.socket is null once the request has closed.
    const socket = req.socket;
    socket.setTimeout(config.httpIdleTimeoutMs);
    const arrived = () => socket.setTimeout(0);
    req.once('end', arrived);
    req.once('close', arrived);
  });

  const tracing = activeTracing();
  const fanOut = createSubscriptionFanOut({
    queueLimit: config.limits.subscriberQueue,
    stateKey: stateKeyOf,
    onExecute: () => metrics.subscriptionExecutions.inc(),
    onDrop: () => metrics.subscriptionCoalesced.inc(),
  });
  // `traced`: inside the tracing middleware's context, whose log mixin already adds the request id (and trace id).
  const contextFor = async (authorization: unknown, requestId: string, traced = false): Promise<GraphQLContext> =>
    createContext({
      requestId,
      ...(await authenticate(verifier, authorization)),
      services,
      log: traced ? log : log.child({ requestId }),
      limits: config.limits,
      events,
      sharedChecks: fanOut.checks,
    });

  const references = new WeakMap<object, string>();
  const formatError = createErrorFormatter({
    fieldSuggestions: config.query.fieldSuggestions,
    log,
    referenceOf: (error) => (typeof error === 'object' && error !== null ? references.get(error) : undefined),
  });
  const rules = [...queryLimitRules(config.query), noNulLiterals];
  const wsCleanup = startWsServer({
    httpServer,
    schema: subgraph.schema,
    rules,
    maxTokens: config.query.maxTokens,
    maxPayloadBytes: config.query.maxBodyBytes,
    subscriptionsPerSocket: config.limits.subscriptionsPerSocket,
    formatError,
    context: (authorization) => contextFor(authorization, randomUUID()),
    fanOut,
  });

  const graphql = await startGraphQLServers<GraphQLContext>({
    schema: subgraph.schema,
    tracedSchema: subgraph.tracedSchema,
    options: {
      formatError,
      logger: log,
      includeStacktraceInErrorResponses: false,
      // Our own rule refuses introspection when it is off (same code over HTTP and WebSocket).
      introspection: true,
      validationRules: rules,
      parseOptions: { maxTokens: config.query.maxTokens },
      allowBatchedHttpRequests: config.query.maxBatch > 1,
      csrfPrevention: true,
      // Shutdown is the process's (src/shutdown.ts): Apollo's own signal handlers would stop it a second time.
      stopOnTerminationSignals: false,
    },
    serverPlugins: [
      // In-flight requests get half the shutdown time to finish; then their connections are closed.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: Math.floor(config.shutdownTimeoutMs / 2) }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
    plugins: [
      errorLoggingPlugin(references),
      graphqlMetricsPlugin(),
      {
        async requestDidStart() {
          return {
            async didResolveOperation({ request }) {
              const refused = nulInVariables(request.variables);
              if (refused) throw refused;
            },
          };
        },
      },
      ApolloServerPluginLandingPageDisabled(),
    ],
    context: async ({ req, res }) => contextFor(req.header('authorization'), String(res.locals.requestId), tracing !== null),
  });

  // First, so every answer (refusals before GraphQL included) carries the id its log lines are under.
  app.use((req, res, next) => {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    res.locals.requestId = requestId;
    next();
  });
  // OTEL_TRACES on: each request runs inside its server span (the context the workflow start and logs pick up).
  if (tracing) app.use(tracing.httpMiddleware);
  setQueueDepthSource(() => services.operations.openCounts());
  app.get('/metrics', metricsHandler(config.observability.metrics.token));
  app.get('/health', async (_req, res) => {
    const health = await services.health.check();
    res.status(health.ok ? 200 : 503).json({ status: health.ok ? 'ok' : 'unavailable', checks: health.checks, stores: health.stores });
  });
  const explorer = { consoleDir: config.consoleDir, enabled: config.graphqlExplorer };
  app.get('/', browserHome(explorer));
  // The registry's signing key, for `model_signing verify key --public_key` on what a client pulled (no project data).
  app.get('/signing/public-key.pem', async (_req, res, next) => {
    try {
      const key = await services.registrySigning.publicKey();
      res.type('application/x-pem-file').set({ 'X-Key-Fingerprint': key.fingerprint, 'Cache-Control': 'public, max-age=300' }).send(key.pem);
    } catch (error) {
      next(error);
    }
  });
  // A browser's GET /graphql gets GraphiQL (GRAPHQL_EXPLORER); GraphQL requests go on to Apollo.
  app.use('/graphql', explorerRoutes(explorer));
  app.use(
    '/graphql',
    jsonBody(config.query),
    batchGuard(config.query),
    graphql.handler,
  );

  // Uploads and downloads stream their bodies: outside /graphql's JSON body limit, with their own checks.
  app.use('/files', filesRoutes({ config, services, verifier, log }));
  app.use('/hf', hfRoutes({ config, services, verifier, log }));
  app.use('/hf', hfPushRoutes({ config, services, verifier, log }));
  app.use('/benchmarks', benchmarkSampleRoutes({ config, services, verifier, log }));
  // The web console: static files of a client of this same API (console/), nothing of src/ runs in it.
  app.use('/console', consoleRoutes({ dir: config.consoleDir }));

  app.use(notFound);
  app.use(jsonErrors(config.query, log));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, config.host, () => resolve());
  });
  const bound = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${bound}/graphql`;
  services.endpoint.url ??= `http://${config.host}:${bound}`;
  log.info({ url }, 'subgraph listening');
  return {
    url,
    port: bound,
    subscriptions: () => fanOut.stats(),
    stop: () => graphql.stop(),
  };
}
