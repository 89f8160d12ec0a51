import type http from 'node:http';
import { type DocumentNode, getOperationAST, GraphQLError, type GraphQLSchema, parse, specifiedRules, validate, type ValidationRule } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { GraphQLContext } from '../graphql/context';
import type { SubscriptionFanOut } from '../graphql/fan-out/subscription-fan-out';
import { type ErrorFormatter, isClientError } from '../graphql/errors';
import { nulInVariables } from '../graphql/input-guard';
import { limitError } from '../graphql/query-limits';
import { operationLabel } from '../observability/graphql-metrics.plugin';
import { metrics } from '../observability/metrics';

/**
 * Validated subscription documents kept by text: a few distinct ones in practice; the bounds (at most 100, each of at
 * most 2,000 characters, about 4 MiB of ASTs in the worst case) are for clients sending many distinct ones.
 */
const VALIDATED_DOCUMENTS = 100;
const VALIDATED_DOCUMENT_CHARS = 2000;

export interface WsServerOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  rules: readonly ValidationRule[];
  maxTokens: number;
  maxPayloadBytes: number;
  /** Subscriptions one connection may hold at once; the next gets TOO_MANY_SUBSCRIPTIONS for that id alone. */
  subscriptionsPerSocket: number;
  formatError: ErrorFormatter;
  context: (authorization: unknown) => Promise<GraphQLContext>;
  fanOut: SubscriptionFanOut;
}

/**
 * graphql-ws on /graphql. Each operation is parsed and validated here, with the same limits as over HTTP, so a
 * syntax error or an over-limit query is answered for that operation alone: graphql-ws would otherwise let
 * the parser's exception close the socket its neighbours share.
 */
export function startWsServer(options: WsServerOptions): Disposable {
  const { schema, rules, formatError } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: options.maxPayloadBytes });
  const allRules = [...specifiedRules, ...rules];
  // Documents that parsed and validated, by their text: a thousand subscribers of one subscription share one AST
  // (its tokens and locations were ~3.5 KB per subscriber, 3 MiB for 1,000) and skip parse + validate. The oldest
  // entry leaves first. Validation depends on the schema and the rules only, never on the caller.
  const validated = new Map<string, DocumentNode>();
  const remember = (query: string, document: DocumentNode) => {
    if (validated.size >= VALIDATED_DOCUMENTS) validated.delete(validated.keys().next().value!);
    validated.set(query, document);
  };
  // Open subscriptions per connection and id, so the gauge goes down exactly once, however they end.
  const open = new WeakMap<object, Map<string, string>>();
  // Each operation's context → its socket, so the fan-out can see how much that socket holds unwritten.
  const sockets = new WeakMap<GraphQLContext, WebSocket>();
  return useServer<Record<string, unknown>>(
    {
      schema,
      // Every connection is accepted and each operation is authenticated on its own, as over HTTP: a bad or
      // expired token gets UNAUTHENTICATED results with the reason. Closing the socket (4403) instead makes
      // gateways reconnect and retry (Hive Gateway: six times, about 42 s) and then show no message at all.
      context: async (ctx) => {
        const context = await options.context(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        sockets.set(context, ctx.extra.socket);
        return context;
      },
      // Executed once per event for all subscribers of equal document, variables and scope; each has a bounded queue.
      subscribe: (args) => options.fanOut.subscribe(args, sockets.get(args.contextValue as GraphQLContext)),
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws lists an id from its subscribe message until it ends, so this counts the ones being set up too.
        const held = Object.keys(ctx.subscriptions).length;
        if (held > options.subscriptionsPerSocket) {
          const message = `This connection already holds ${options.subscriptionsPerSocket} subscriptions (SUBSCRIPTIONS_PER_SOCKET): complete one, or open another connection`;
          return [limitError(message, 'TOO_MANY_SUBSCRIPTIONS', { limit: options.subscriptionsPerSocket })];
        }
        const known = validated.get(payload.query);
        let document = known;
        if (!document) {
          try {
            document = parse(payload.query, { maxTokens: options.maxTokens });
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
          }
        }
        const refused = nulInVariables(payload.variables);
        if (refused) return [refused];
        if (!known) {
          const errors = validate(schema, document, allRules);
          if (errors.length > 0) return errors;
          if (payload.query.length <= VALIDATED_DOCUMENT_CHARS) remember(payload.query, document);
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      onOperation: (ctx, id, _payload, args, result) => {
        if (!(Symbol.asyncIterator in Object(result))) return undefined;
        const label = operationLabel(getOperationAST(args.document, args.operationName));
        const subscription = label.replace(/^subscription /, '');
        metrics.activeSubscriptions.inc({ subscription });
        const byId = open.get(ctx) ?? new Map<string, string>();
        open.set(ctx, byId.set(id, subscription));
        return undefined;
      },
      onComplete: (ctx, id) => {
        const subscription = open.get(ctx)?.get(id);
        if (subscription === undefined) return;
        open.get(ctx)?.delete(id);
        metrics.activeSubscriptions.dec({ subscription });
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return undefined;
        const { log, requestId } = args.contextValue as GraphQLContext;
        const operation = operationLabel(getOperationAST(args.document, args.operationName));
        for (const error of result.errors) {
          if (!isClientError(error)) log.error({ err: error.originalError ?? error, path: error.path, reference: requestId }, 'unexpected error');
        }
        const formatted = result.errors.map((e: GraphQLError) => formatError(e.toJSON(), e, requestId));
        for (const error of formatted) metrics.graphqlErrors.inc({ operation, code: String(error.extensions?.code ?? 'UNKNOWN').slice(0, 40) });
        return { ...result, errors: formatted };
      },
    },
    wsServer,
  );
}
