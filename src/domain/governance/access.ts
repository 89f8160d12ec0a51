import { grantedProjects, hasGlobalRole, hasRoleIn, type Principal, Role } from '../auth/roles';
import { ForbiddenError } from '../common/domain-error';
import { PROJECT_SQL } from './project';

/** What a caller may read: everything (a global role), or the projects granted to them; public ones come on top. */
export interface ReadScope {
  all: boolean;
  projects: readonly string[];
}

export const EVERYTHING: ReadScope = Object.freeze({ all: true, projects: [] });

export function readScope(principal: Principal): ReadScope {
  return hasGlobalRole(principal, Role.VIEWER) ? EVERYTHING : { all: false, projects: grantedProjects(principal, Role.VIEWER) };
}

export function canRead(scope: ReadScope, project: string, publicProjects: ReadonlySet<string>): boolean {
  return scope.all || scope.projects.includes(project) || publicProjects.has(project);
}

/**
 * The SQL condition (over a models alias) a read path adds so it never returns what the scope cannot see; null
 * when it sees everything. `param` names a bound text[] parameter holding `scope.projects`.
 */
export function scopeCondition(scope: ReadScope, alias: string, param: string): string | null {
  if (scope.all) return null;
  const project = PROJECT_SQL(alias);
  return `(${project} = ANY(${param}) OR EXISTS (SELECT 1 FROM projects gp WHERE gp.id = ${project} AND gp.public))`;
}

/** Writes across projects are FORBIDDEN (reads of what one cannot see are NOT_FOUND instead). */
export function requireRoleIn(principal: Principal, project: string, role: Role, action: string): void {
  if (!hasRoleIn(principal, project, role)) {
    throw new ForbiddenError(`${action} needs the ${role} role in project "${project}"`, { requiredRole: role, project });
  }
}
