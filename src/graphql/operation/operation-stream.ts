import { Role } from '../../domain/auth/roles';
import { type OperationRecord, TERMINAL_STATUSES } from '../../domain/onboarding/operation';
import { requireRole } from '../auth';
import type { GraphQLContext } from '../context';
import type { ModelEventPayload } from '../pubsub';

/**
 * The operation's current state, then every later update in sequence order, ending with the terminal one.
 * The event subscription opens before the snapshot is read, so nothing between the two is lost; events
 * not newer than what was already sent are dropped.
 */
export async function* operationStream(ctx: GraphQLContext, id: string): AsyncGenerator<OperationRecord> {
  requireRole(ctx, Role.VIEWER);
  const events = ctx.events.subscribe('OPERATION', id);
  try {
    const snapshot = await ctx.services.operations.get(id);
    yield snapshot;
    if (TERMINAL_STATUSES.has(snapshot.status)) return;
    let sequence = snapshot.sequence;
    for await (const operation of events) {
      if (operation.sequence <= sequence) continue;
      sequence = operation.sequence;
      yield operation;
      if (TERMINAL_STATUSES.has(operation.status)) return;
    }
  } finally {
    await events.return?.();
  }
}

export async function* modelEventStream(ctx: GraphQLContext, modelId: string): AsyncGenerator<ModelEventPayload> {
  requireRole(ctx, Role.VIEWER);
  await ctx.services.modelQueries.get(modelId); // NOT_FOUND for an unknown model instead of silence
  yield* ctx.events.subscribe('MODEL', modelId.toLowerCase());
}
