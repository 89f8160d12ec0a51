import type { Principal } from '../../domain/auth/roles';
import { Role } from '../../domain/auth/roles';
import { readScope, type ReadScope } from '../../domain/governance/access';
import type { ActorRef } from '../../domain/governance/audit-entry';
import { DEFAULT_USAGE, type LicenseUsage } from '../../domain/governance/license-check';
import { requireRole } from '../auth';
import type { GraphQLContext } from '../context';
import type { LicenseUsageInput } from './license.type';

/** The caller, holding `role` somewhere (the object's project is checked by the service). */
export function callerOf(ctx: GraphQLContext, role: Role = Role.VIEWER): Principal {
  return requireRole(ctx, role);
}

export function actorOf(ctx: GraphQLContext, role: Role = Role.VIEWER): ActorRef {
  return { subject: callerOf(ctx, role).subject, requestId: ctx.requestId };
}

export function scopeOf(ctx: GraphQLContext): ReadScope {
  return readScope(callerOf(ctx));
}

export function usageOf(input: LicenseUsageInput | null | undefined): LicenseUsage {
  return {
    commercial: input?.commercial ?? DEFAULT_USAGE.commercial,
    derivatives: input?.derivatives ?? DEFAULT_USAGE.derivatives,
    monthlyActiveUsers: input?.monthlyActiveUsers ?? DEFAULT_USAGE.monthlyActiveUsers,
    apiOnly: input?.apiOnly ?? DEFAULT_USAGE.apiOnly,
    distribution: input?.distribution ?? DEFAULT_USAGE.distribution,
  };
}
