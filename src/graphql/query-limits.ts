import { ApolloArmor } from '@escape.tech/graphql-armor';
import { type ASTVisitor, GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from '../config/config';

/** One code per limit, so a client (or its gateway) can tell which one it hit. */
export const LIMIT_CODES = [
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_DIRECTIVES',
  'QUERY_TOO_COSTLY',
  'TOO_MANY_TOKENS',
  'INTROSPECTION_DISABLED',
  'BODY_TOO_LARGE',
  'BATCH_TOO_LARGE',
  'TOO_MANY_SUBSCRIPTIONS',
] as const;
export type LimitCode = (typeof LIMIT_CODES)[number];

export function limitError(message: string, code: LimitCode, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extra, code } });
}

/** graphql-armor reports its verdicts as "Syntax Error: …" with BAD_USER_INPUT; we re-issue them with our codes. */
function reportAs(code: LimitCode, limit: number) {
  return {
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, error: GraphQLError) =>
        ctx?.reportError(limitError(error.message.replace(/^Syntax Error: /, ''), code, { limit })),
    ],
  };
}

/** `__schema` and `__type` are refused when introspection is off; `__typename` stays (clients and gateways need it). */
function noIntrospection(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(limitError('Introspection is disabled on this server (GRAPHQL_INTROSPECTION)', 'INTROSPECTION_DISABLED', {}));
      }
    },
  };
}

/**
 * The validation rules that bound what one operation may ask for (graphql-armor's depth, alias, directive and
 * cost rules; introspection when disabled). The same rules run over HTTP and over graphql-ws; the token limit
 * is the parser's own `maxTokens`, applied before these.
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const { validationRules } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ...reportAs('QUERY_TOO_DEEP', limits.maxDepth) },
    maxAliases: { n: limits.maxAliases, ...reportAs('TOO_MANY_ALIASES', limits.maxAliases) },
    maxDirectives: { n: limits.maxDirectives, ...reportAs('TOO_MANY_DIRECTIVES', limits.maxDirectives) },
    costLimit: { maxCost: limits.maxCost, ...reportAs('QUERY_TOO_COSTLY', limits.maxCost) },
    // Both handled elsewhere for HTTP and WebSocket alike: parseOptions.maxTokens and formatError.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return limits.introspection ? validationRules : [...validationRules, noIntrospection];
}

/** graphql-js aborts parsing past `maxTokens` with this syntax error (its wording: "more that"); a limit, not a typo. */
export function isTokenLimitError(message: string): boolean {
  return /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/.test(message);
}
