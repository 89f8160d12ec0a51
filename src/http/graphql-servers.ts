import { ApolloServer, type ApolloServerOptionsWithSchema, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { type ExpressContextFunctionArgument, expressMiddleware } from '@as-integrations/express5';
import type { RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';

/** The header a federation gateway sends when it wants the subgraph's trace of a request (`extensions.ftv1`). */
export const TRACE_HEADER = 'apollo-federation-include-trace';

/**
 * Every answer says `cache-control: no-store`, as Apollo's cache-control plugin said for a schema without cache hints,
 * without that plugin's hook on every field of every request.
 */
const NO_STORE: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

export interface GraphQLServersOptions<C extends BaseContext> {
  schema: GraphQLSchema;
  /** A separate executable copy of `schema` (Subgraph.tracedSchema), asked for on the first traced request. */
  tracedSchema: () => GraphQLSchema;
  /** Everything but schema and plugins, the same for both servers. */
  options: Omit<ApolloServerOptionsWithSchema<C>, 'schema' | 'plugins'>;
  /** Plugins of both servers. */
  plugins: ApolloServerPlugin<C>[];
  /** Plugins of the plain server only: it owns the HTTP server's drain and the WebSocket cleanup. */
  serverPlugins: ApolloServerPlugin<C>[];
  context: (args: ExpressContextFunctionArgument) => Promise<C>;
}

export interface GraphQLServers {
  readonly handler: RequestHandler;
  /** Whether the traced server has been started (a request asked for ftv1). */
  tracing(): boolean;
  stop(): Promise<void>;
}

/**
 * GraphQL over HTTP through two Apollo servers of one configuration. Apollo installs a per-field hook (its resolver
 * instrumentation) on a schema the first time any request of it has a field listener, and leaves it on for good:
 * its cache-control plugin made every request do so, and inline tracing does after one traced request. Here the plain
 * server has neither (cache-control off, `no-store` set as it was); a request asking for ftv1 goes to a second server,
 * started on the first such request, that traces on its own copy of the schema, so untraced requests never run
 * through the instrumentation.
 */
export async function startGraphQLServers<C extends BaseContext>(o: GraphQLServersOptions<C>): Promise<GraphQLServers> {
  const make = (schema: GraphQLSchema, traced: boolean, own: ApolloServerPlugin<C>[]) =>
    new ApolloServer<C>({
      ...o.options,
      schema,
      plugins: [
        ...own,
        ...o.plugins,
        NO_STORE,
        ApolloServerPluginCacheControlDisabled(),
        traced ? ApolloServerPluginInlineTrace() : ApolloServerPluginInlineTraceDisabled(),
      ],
    });
  const plain = make(o.schema, false, o.serverPlugins);
  await plain.start();
  const plainHandler = expressMiddleware(plain, { context: o.context });
  let traced: ApolloServer<C> | null = null;
  let tracedHandler: Promise<RequestHandler> | null = null;
  const startTraced = async (): Promise<RequestHandler> => {
    const server = make(o.tracedSchema(), true, []);
    await server.start();
    traced = server;
    return expressMiddleware(server, { context: o.context });
  };
  return {
    handler(req, res, next) {
      if (req.header(TRACE_HEADER) !== 'ftv1') return plainHandler(req, res, next);
      tracedHandler ??= startTraced().catch((error: unknown) => {
        tracedHandler = null;
        throw error;
      });
      tracedHandler.then((handle) => handle(req, res, next), next);
    },
    tracing: () => traced !== null,
    async stop() {
      // The plain server drains the HTTP server first, traced requests in flight included.
      await plain.stop();
      await traced?.stop();
    },
  };
}
