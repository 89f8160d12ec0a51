import { decodeJwt } from 'jose';
import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../domain/common/domain-error';
import { hasRole, type Principal, Role } from '../domain/auth/roles';
import type { TokenVerifier } from '../services/auth-tokens';
import type { GraphQLContext } from './context';

export interface Authentication {
  principal: Principal | null;
  authFailure: string | null;
  /** The verified token's `exp`, when it has one. */
  tokenExpiresAt: Date | null;
}

const ANONYMOUS: Authentication = { principal: null, authFailure: null, tokenExpiresAt: null };

function refused(reason: string): Authentication {
  return { principal: null, authFailure: reason, tokenExpiresAt: null };
}

function expiryOf(token: string): Date | null {
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? new Date(exp * 1000) : null;
}

/** Reads `Bearer <jwt>` (HTTP header or WebSocket connection param); never throws, the checker decides. */
export async function authenticate(verifier: TokenVerifier, authorization: unknown): Promise<Authentication> {
  if (authorization === undefined || authorization === null || authorization === '') return ANONYMOUS;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!match) return refused('The Authorization header must be "Bearer <token>"');
  try {
    const principal = await verifier.verify(match[1]);
    // Verified above, so its claims can be read without checking the signature again.
    return { principal, authFailure: null, tokenExpiresAt: expiryOf(match[1]) };
  } catch (error) {
    if (error instanceof UnauthenticatedError) return refused(error.message);
    throw error;
  }
}

export function requireRole(context: Pick<GraphQLContext, 'principal' | 'authFailure'>, role: Role): Principal {
  if (!context.principal) {
    throw new UnauthenticatedError(context.authFailure ?? 'Authentication required: send "Authorization: Bearer <token>"');
  }
  if (!hasRole(context.principal, role)) {
    throw new ForbiddenError(`This operation needs the ${role} role`, { requiredRole: role });
  }
  return context.principal;
}

/** `@Authorized(Role.EDITOR)`: the one role named is the least one that may run the field. */
export const authChecker: AuthChecker<GraphQLContext, Role> = ({ context }, roles) => {
  requireRole(context, roles[0] ?? Role.VIEWER);
  return true;
};
