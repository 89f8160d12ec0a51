import type { ModelRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import { requireRole } from '../auth';
import type { GraphQLContext } from '../context';
import { projectOf } from '../../domain/governance/project';
import { callerOf } from '../governance/governance-access';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `_entities` resolution for the gateway: the same viewer rule as a direct query, batched per request. */
export async function resolveModelReference(reference: { id: string }, ctx: GraphQLContext): Promise<ModelRecord | null> {
  requireRole(ctx, Role.VIEWER);
  // Another subgraph may hold a stale or foreign key; an unknown entity resolves to null, as federation expects.
  if (typeof reference.id !== 'string' || !UUID.test(reference.id)) return null;
  const model = await ctx.loaders.modelById.load(reference.id.toLowerCase());
  // A model of a project the caller may not read resolves to null, exactly like an unknown one.
  return model && (await ctx.services.access.canRead(callerOf(ctx), projectOf(model))) ? model : null;
}
