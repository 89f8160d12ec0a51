import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/domain-error';
import { grantedProjects, hasGlobalRole, hasRoleIn, type Principal, Role } from './roles';

/**
 * Who acts, made once at every edge (a GraphQL request or subscription, an HTTP route, a workflow activity, a
 * schedule) and passed as the first parameter of every service method that reads or writes project data. There
 * is no default: a service that forgets to narrow by it has no caller to forget.
 *
 * - A user caller holds roles per project (a role held in A means nothing in B) and reads the projects it holds a
 *   role in, plus public ones (which the SQL adds, see `readableCondition`).
 * - The system caller is work ModelHub does on its own (reconciler, schedules, GC, workflow activities acting on
 *   what a user already started); it reads and writes everything and always says why (`reason`, logged at the edge).
 */
export interface Caller {
  readonly kind: 'user' | 'system';
  /** The token's `sub`, or `system:<reason>`; what audit rows name as the actor. */
  readonly subject: string;
  readonly requestId: string | null;
  /** Why the system acts (null for a user). */
  readonly reason: string | null;
  /** Null for the system caller. */
  readonly principal: Principal | null;
  /** True when every project is readable (a global role, or the system). */
  readonly readsAll: boolean;
  /** Projects granted to the caller by name (its readable ones besides public projects, when not `readsAll`). */
  readonly readable: readonly string[];
}

export function userCaller(principal: Principal, requestId: string | null = null): Caller {
  const readsAll = hasGlobalRole(principal, Role.VIEWER);
  return Object.freeze({
    kind: 'user' as const,
    subject: principal.subject,
    requestId,
    reason: null,
    principal,
    readsAll,
    readable: readsAll ? [] : grantedProjects(principal, Role.VIEWER),
  });
}

export function systemCaller(reason: string, requestId: string | null = null): Caller {
  return Object.freeze({ kind: 'system' as const, subject: `system:${reason}`, requestId, reason, principal: null, readsAll: true, readable: [] });
}

/** The caller of a request that carried no valid token: UNAUTHENTICATED, saying why. */
export function requireCaller(principal: Principal | null, authFailure: string | null, requestId: string | null = null): Caller {
  if (!principal) throw new UnauthenticatedError(authFailure ?? 'Authentication required: send "Authorization: Bearer <token>"');
  return userCaller(principal, requestId);
}

/** The role in this project (by a global role or a grant for it); the system holds every role. */
export function holdsRole(caller: Caller, project: string, role: Role): boolean {
  return caller.principal === null ? caller.kind === 'system' : hasRoleIn(caller.principal, project, role);
}

/** Readable without looking at public projects (those need the database: see ProjectAccessService.canRead). */
export function readsByGrant(caller: Caller, project: string): boolean {
  return caller.readsAll || caller.readable.includes(project);
}

/**
 * Whether `project` is readable, given whether it is public. Reading it is enough to learn that its objects exist,
 * so a missing role there is FORBIDDEN; an unreadable project's objects are NOT_FOUND like ids that do not exist.
 */
export function canReadProject(caller: Caller, project: string, isPublic: boolean): boolean {
  return isPublic || readsByGrant(caller, project);
}

export interface Target {
  /** What a NOT_FOUND names: the entity and the key the caller gave. */
  entity: string;
  key: string;
  project: string;
  isPublic: boolean;
}

/** The one role check of a write: NOT_FOUND when the caller cannot read the project, FORBIDDEN without the role. */
export function requireRole(caller: Caller, target: Target, role: Role, action: string): void {
  if (holdsRole(caller, target.project, role)) return;
  if (!canReadProject(caller, target.project, target.isPublic)) throw new NotFoundError(target.entity, target.key);
  throw new ForbiddenError(`${action} needs the ${role} role in project "${target.project}"`, { requiredRole: role, project: target.project });
}

/** An audit actor for this caller. */
export function actorOf(caller: Caller): { subject: string; requestId: string | null } {
  return { subject: caller.subject, requestId: caller.requestId };
}
