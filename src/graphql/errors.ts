import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../domain/common/domain-error';

/** Codes Apollo Server and graphql-js attach to errors that are the client's own doing. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export const INTERNAL_MESSAGE = 'Internal server error; the request id in the x-request-id header identifies it in the logs';

/** True when the error is expected (a DomainError or a client mistake) and may be shown as is. */
export function isClientError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return true;
  const code = original instanceof GraphQLError ? original.extensions?.code : undefined;
  // graphql-js reports variable coercion failures without a code; they carry no original error.
  if (original instanceof GraphQLError && !original.originalError && code === undefined) return true;
  return typeof code === 'string' && CLIENT_CODES.has(code);
}

/**
 * The one mapper from thrown errors to what clients see. Domain errors keep their message and code;
 * anything unexpected is masked (no stack traces, no SQL) and left for the logging plugin.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...original.details, code: original.code },
    };
  }
  if (isClientError(error)) {
    const { stacktrace: _ignored, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code: extensions.code ?? 'BAD_USER_INPUT' } };
  }
  return { message: INTERNAL_MESSAGE, locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
