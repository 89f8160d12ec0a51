import type { ModelRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import { requireRole } from '../auth';
import type { GraphQLContext } from '../context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `_entities` resolution for the gateway: the same viewer rule as a direct query, batched per request. */
export async function resolveModelReference(reference: { id: string }, ctx: GraphQLContext): Promise<ModelRecord | null> {
  requireRole(ctx, Role.VIEWER);
  // Another subgraph may hold a stale or foreign key; an unknown entity resolves to null, as federation expects.
  if (typeof reference.id !== 'string' || !UUID.test(reference.id)) return null;
  // The loader reads as the request's caller: a model of a project it may not read loads as null, like an unknown one.
  return ctx.loaders.modelById.load(reference.id.toLowerCase());
}
