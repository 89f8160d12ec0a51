import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import { metrics } from './metrics';
import { activeTracing } from './tracing-state';

/** Before parsing and validation succeed there is no operation to name. */
const UNRESOLVED = '(unresolved)';

/** `query models`, `mutation importModel`: the type and first root field, both fixed by the schema (validated already). */
export function operationLabel(operation: Pick<OperationDefinitionNode, 'operation' | 'selectionSet'> | null | undefined): string {
  if (!operation) return UNRESOLVED;
  const first = operation.selectionSet.selections[0];
  const field = first?.kind === 'Field' ? first.name.value : '(fragment)';
  const more = operation.selectionSet.selections.length > 1 ? '+' : '';
  return `${operation.operation} ${field}${more}`;
}

/**
 * Per-request latency and errors, measured once in the request's lifecycle (no resolver is wrapped: the read path
 * pays two clock reads and one histogram update per request).
 */
export function graphqlMetricsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operation = UNRESOLVED;
      return {
        async didResolveOperation({ operation: resolved }) {
          operation = operationLabel(resolved);
          activeTracing()?.nameRequest(operation);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const codeOf = (error: { extensions?: Record<string, unknown> }) => String(error.extensions?.code ?? 'UNKNOWN').slice(0, 40);
          for (const error of errors ?? []) metrics.graphqlErrors.inc({ operation, code: codeOf(error) });
          const code = errors?.length ? codeOf(errors[0]) : 'OK';
          metrics.graphqlDuration.observe({ operation, code }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
