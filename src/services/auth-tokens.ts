import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config/config';
import { UnauthenticatedError } from '../domain/common/domain-error';
import { isRole, type Principal, type Role } from '../domain/auth/roles';
import { isProjectId } from '../domain/governance/project';

type AuthConfig = Config['auth'];

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Verifies bearer JWTs: HS256 with the configured secret, or any JWKS-published key. */
export function createTokenVerifier(auth: AuthConfig): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = auth.jwksUrl
    ? createRemoteJWKSet(new URL(auth.jwksUrl))
    : new TextEncoder().encode(auth.jwtSecret ?? '');
  const algorithms = auth.jwksUrl ? ['RS256', 'ES256', 'EdDSA', 'PS256'] : ['HS256'];
  return {
    async verify(token) {
      let payload: JWTPayload;
      const options = { issuer: auth.issuer, audience: auth.audience, algorithms, requiredClaims: ['exp'] };
      try {
        ({ payload } = key instanceof Uint8Array ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
      } catch (error) {
        throw new UnauthenticatedError(describeJoseError(error));
      }
      checkLifetime(payload, auth);
      return principalFrom(payload);
    },
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `The access token's "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JOSEError) return 'The access token is not valid';
  throw error;
}

/**
 * A token must say when it ends, and not too far ahead: a leaked token without `exp` (or one for a year) is a
 * key forever. `iat` in the future (beyond the clock skew) is a forgery or a broken issuer.
 */
function checkLifetime(payload: JWTPayload, auth: AuthConfig): void {
  const now = Math.floor(Date.now() / 1000);
  const { exp, iat } = payload as { exp: number; iat?: unknown };
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw new UnauthenticatedError('The access token\'s "iat" claim is not a time');
  if (typeof iat === 'number' && iat > now + auth.clockSkewSeconds) throw new UnauthenticatedError('The access token was issued in the future ("iat")');
  const start = typeof iat === 'number' ? Math.min(iat, now) : now;
  if (exp - start > auth.maxTokenLifetimeSeconds + auth.clockSkewSeconds) {
    throw new UnauthenticatedError(`The access token lives longer than the ${auth.maxTokenLifetimeSeconds} s this server accepts (TOKEN_MAX_LIFETIME_S)`);
  }
}

const MAX_ROLES = 20;
const MAX_PROJECTS = 100;

function knownRoles(claimed: unknown[], where: string): Role[] {
  if (claimed.length > MAX_ROLES) throw new UnauthenticatedError(`The access token claims more than ${MAX_ROLES} roles${where}`);
  // An unknown role is refused, not ignored: `constructor` or a typo must never be read as a grant of anything.
  const unknown = claimed.filter((role) => !isRole(role));
  if (unknown.length > 0) throw new UnauthenticatedError(`The access token claims roles this server does not know${where}: ${unknown.map((r) => JSON.stringify(r).slice(0, 40)).join(', ')}`);
  return claimed.filter(isRole);
}

/** The `projects` claim: `{ "<project id>": ["editor", …] }`, read into a Map (claimed names never become object keys). */
function projectGrants(claim: unknown): Map<string, Role[]> {
  const grants = new Map<string, Role[]>();
  if (claim === undefined) return grants;
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) throw new UnauthenticatedError('The access token\'s "projects" claim must map project ids to lists of roles');
  const entries = Object.entries(claim as Record<string, unknown>);
  if (entries.length > MAX_PROJECTS) throw new UnauthenticatedError(`The access token names more than ${MAX_PROJECTS} projects`);
  for (const [project, roles] of entries) {
    if (!isProjectId(project)) throw new UnauthenticatedError(`The access token names a project that is not a project id: ${JSON.stringify(project).slice(0, 70)}`);
    const list: unknown[] = Array.isArray(roles) ? roles : typeof roles === 'string' ? [roles] : [null];
    grants.set(project, knownRoles(list, ` in project ${project}`));
  }
  return grants;
}

function principalFrom(payload: JWTPayload): Principal {
  const subject = typeof payload.sub === 'string' && payload.sub.trim() && payload.sub.length <= 256 ? payload.sub : null;
  if (!subject) throw new UnauthenticatedError('The access token has no subject');
  const claimed: unknown[] = Array.isArray(payload.roles) ? payload.roles : typeof payload.role === 'string' ? [payload.role] : [];
  const roles = knownRoles(claimed, '');
  const projects = projectGrants(payload.projects);
  const granted = [...projects.values()].some((list) => list.length > 0);
  if (roles.length === 0 && !granted) throw new UnauthenticatedError('The access token grants no ModelHub role');
  return projects.size ? { subject, roles, projects } : { subject, roles };
}

/** Signs a short-lived HS256 token (used by `npm run token` and by tests). */
export async function issueToken(
  auth: AuthConfig,
  subject: string,
  roles: Role[],
  ttlSeconds = 12 * 3600,
  projects: ReadonlyMap<string, readonly Role[]> = new Map(),
): Promise<string> {
  if (!auth.jwtSecret) throw new Error('Tokens can only be issued with an HS256 secret (JWT_SECRET)');
  const claims = projects.size ? { roles, projects: Object.fromEntries(projects) } : { roles };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(auth.jwtSecret));
}
