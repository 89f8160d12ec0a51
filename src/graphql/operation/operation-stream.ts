import { Role } from '../../domain/auth/roles';
import { type OperationRecord, TERMINAL_STATUSES } from '../../domain/onboarding/operation';
import { requireRole } from '../auth';
import { callerOf } from '../governance/governance-access';
import type { GraphQLContext } from '../context';
import type { ModelEventPayload } from '../pubsub';
import { scopeKeyOf } from '../fan-out/caller-scope';
import { StreamEnd, subscriptionStream, type Verdict } from './subscription-stream';

/**
 * The operation now, then every newer update in sequence order, ending with the terminal one.
 * The checks run here, before any stream exists: graphql-ws answers a refusal (UNAUTHENTICATED, NOT_FOUND,
 * BAD_USER_INPUT) as a result with its code and completes, for this subscription only. The event
 * subscription opens before the snapshot is read, so nothing between the two is lost.
 */
export async function operationSubscription(ctx: GraphQLContext, id: string): Promise<AsyncIterable<OperationRecord | StreamEnd>> {
  requireRole(ctx, Role.VIEWER); // the least role, as @Authorized says for queries; the project is checked below
  const caller = callerOf(ctx);
  const events = ctx.events.subscribe('OPERATION', id.toLowerCase());
  let snapshot: OperationRecord;
  try {
    // An operation of a model the caller may not read is NOT_FOUND, like an unknown one.
    snapshot = await ctx.services.operations.get(caller, id);
  } catch (error) {
    await events.return?.();
    throw error;
  }
  let sequence = -1;
  // Each process reads the row once per NOTIFY and reads can finish out of order: keep only newer rows.
  const step = (operation: OperationRecord): Verdict => {
    if (operation.sequence <= sequence) return 'drop';
    sequence = operation.sequence;
    return TERMINAL_STATUSES.has(operation.status) ? 'last' : 'send';
  };
  const check = sharedCheck(ctx, `operation:${id.toLowerCase()}`, () => ctx.services.operations.get(caller, id));
  return subscriptionStream(ctx, events, step, [snapshot], { check, due: () => false, everyMs: ACCESS_RECHECK_MS });
}

/**
 * A re-check whose outcome depends only on the caller's scope and the subject, so subscribers of one scope share it
 * (one run per event they all received): 1,000 subscribers with one token cost one query, not 1,000.
 */
function sharedCheck(ctx: GraphQLContext, subject: string, check: () => Promise<unknown>): (item: unknown) => Promise<unknown> {
  const key = `${scopeKeyOf(ctx.principal)}|${subject}`;
  return (item) => ctx.sharedChecks.run(key, item, check);
}

/**
 * What a full subscriber queue may coalesce: items with one key are states of one thing (an operation's row, the
 * model's status), so a newer one replaces an older one; audit entries and stream ends are never replaced.
 */
export function stateKeyOf(item: unknown): string | null {
  if (item instanceof StreamEnd || typeof item !== 'object' || item === null) return null;
  if ('type' in item && 'modelId' in item) {
    const event = item as ModelEventPayload;
    if (event.type === 'OPERATION' && event.operation) return `operation:${event.operation.id}`;
    return event.type === 'STATUS' ? 'status' : null;
  }
  return 'sequence' in item && 'id' in item ? `operation:${String((item as OperationRecord).id)}` : null;
}

/** How stale a subscriber's right to read what it watches may be, at most, while events flow. */
const ACCESS_RECHECK_MS = 2_000;

/** A model's move (or any change of its fields) is re-checked before it is sent: the move may end the stream. */
const mayChangeAccess = (event: ModelEventPayload): boolean => event.type === 'AUDIT' && event.audit?.action === 'model.updated';

/** How many operations a model subscription remembers the last sequence of (memory stays bounded). */
const REMEMBERED_OPERATIONS = 1_000;

/** A model's operation updates (each operation's in sequence order, repeats dropped) and lifecycle moves. */
export async function modelEventSubscription(ctx: GraphQLContext, modelId: string): Promise<AsyncIterable<ModelEventPayload | StreamEnd>> {
  requireRole(ctx, Role.VIEWER);
  const caller = callerOf(ctx);
  // Listening starts before the model is read, so an event committed meanwhile is not lost; nothing is sent
  // unless the read succeeds (NOT_FOUND for an unknown or unreadable model, instead of silence).
  const events = ctx.events.subscribe('MODEL', modelId.toLowerCase());
  try {
    await ctx.services.modelQueries.get(caller, modelId);
  } catch (error) {
    await events.return?.();
    throw error;
  }
  const seen = new Map<string, number>();
  const step = (event: ModelEventPayload): Verdict => {
    if (!event.operation) return 'send';
    const { id, sequence } = event.operation;
    if ((seen.get(id) ?? -1) >= sequence) return 'drop';
    seen.delete(id);
    seen.set(id, sequence);
    if (seen.size > REMEMBERED_OPERATIONS) seen.delete(seen.keys().next().value as string);
    return 'send';
  };
  const check = sharedCheck(ctx, `model:${modelId.toLowerCase()}`, () => ctx.services.access.readableModelId(caller, modelId));
  return subscriptionStream(ctx, events, step, [], { check, due: mayChangeAccess, everyMs: ACCESS_RECHECK_MS });
}
