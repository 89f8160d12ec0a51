import { type Caller, requireCaller } from '../../domain/auth/caller';
import { DEFAULT_USAGE, type LicenseUsage } from '../../domain/governance/license-check';
import type { GraphQLContext } from '../context';
import type { LicenseUsageInput } from './license.type';

/**
 * The request's caller (UNAUTHENTICATED without a valid token). `@Authorized(role)` next to a field says the least
 * role it needs somewhere; the service checks the role in the object's project, inside its transaction.
 */
export function callerOf(ctx: Pick<GraphQLContext, 'principal' | 'authFailure' | 'requestId'>): Caller {
  return requireCaller(ctx.principal, ctx.authFailure, ctx.requestId);
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
