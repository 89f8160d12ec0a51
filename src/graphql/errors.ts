import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../domain/common/domain-error';
import { isTokenLimitError, LIMIT_CODES } from './query-limits';

/** Codes Apollo Server and graphql-js attach to errors that are the client's own doing. */
const CLIENT_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  ...LIMIT_CODES,
]);
const LIMITS = new Set<string>(LIMIT_CODES);

/** What a client sees for anything unexpected: the reference finds the details (and the request) in the logs. */
export function internalMessage(reference: string): string {
  return `internal error (reference ${reference})`;
}

function codeOf(error: unknown): unknown {
  return error instanceof GraphQLError ? error.extensions?.code : undefined;
}

/**
 * A query-limit verdict (or our own rule's BAD_USER_INPUT) keeps its code. Apollo re-wraps validation errors as
 * GRAPHQL_VALIDATION_FAILED, keeping ours as the original error, so the chain is searched.
 */
function limitCodeOf(error: unknown): string | undefined {
  for (let current = error, hops = 0; current instanceof GraphQLError && hops < 5; current = current.originalError, hops++) {
    const code = codeOf(current);
    if (typeof code === 'string' && LIMITS.has(code)) return code;
    // Our validation rules' BAD_USER_INPUT (a NUL in a literal), re-wrapped by Apollo.
    if (hops > 0 && code === 'BAD_USER_INPUT') return code;
    if (code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(current.message)) return 'TOO_MANY_TOKENS';
  }
  return undefined;
}

/** True when the error is expected (a DomainError or a client mistake) and may be shown as is. */
export function isClientError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return true;
  const code = codeOf(original);
  // graphql-js reports variable coercion failures and syntax errors without a code; they carry no original error.
  if (original instanceof GraphQLError && !original.originalError && code === undefined) return true;
  return (typeof code === 'string' && CLIENT_CODES.has(code)) || limitCodeOf(original) !== undefined;
}

export interface ErrorFormatterOptions {
  /** Keep graphql-js's "Did you mean …?" hints (GRAPHQL_FIELD_SUGGESTIONS). */
  fieldSuggestions: boolean;
  log: Logger;
  /** The reference an error was logged under (the request id), if it was. */
  referenceOf?: (error: unknown) => string | undefined;
}

/** `reference`: the id an unexpected error was already logged under (else the formatter logs it under a new one). */
export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown, reference?: string) => GraphQLFormattedError;

/**
 * The one mapper from thrown errors to what clients see. Domain errors keep their message and code; client
 * mistakes keep theirs (a limit its own code); anything unexpected is masked as "internal error" with a
 * reference that finds it in the logs (never stack traces, SQL, paths or host names).
 */
export function createErrorFormatter({ fieldSuggestions, log, referenceOf }: ErrorFormatterOptions): ErrorFormatter {
  const hideSuggestions = (message: string) => (fieldSuggestions ? message : message.replace(/ ?Did you mean .+\?$/, ''));
  return (formatted, error, loggedAs) => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { ...original.details, code: original.code } };
    }
    if (isClientError(error)) {
      const { stacktrace: _ignored, ...extensions } = formatted.extensions ?? {};
      const code = limitCodeOf(error) ?? extensions.code ?? 'BAD_USER_INPUT';
      return { ...formatted, message: hideSuggestions(formatted.message), extensions: { ...extensions, code } };
    }
    let reference = loggedAs ?? referenceOf?.(error);
    if (!reference) {
      reference = randomUUID();
      log.error({ err: original ?? error, reference }, 'unexpected error');
    }
    return { message: internalMessage(reference), locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', reference } };
  };
}
