/**
 * Roles are ordered: each one may do everything the ones before it may. `deployer` stands beside the order: a
 * service token (a CD pipeline) that reads like a viewer and records deployments, which editors may also do; it
 * never passes for an editor, and a viewer never passes for it.
 */
export enum Role {
  VIEWER = 'viewer',
  DEPLOYER = 'deployer',
  EDITOR = 'editor',
  APPROVER = 'approver',
  ADMIN = 'admin',
}

const RANK: Readonly<Record<Role, number>> = {
  [Role.VIEWER]: 1,
  [Role.DEPLOYER]: 1,
  [Role.EDITOR]: 2,
  [Role.APPROVER]: 3,
  [Role.ADMIN]: 4,
};

/** Whether these roles (held together) give `required`: by rank, or for `deployer`, by name or as an editor. */
function satisfies(roles: readonly Role[], required: Role): boolean {
  if (required === Role.DEPLOYER) return roles.includes(Role.DEPLOYER) || highest(roles) >= RANK[Role.EDITOR];
  return highest(roles) >= RANK[required];
}

/**
 * Who calls. `roles` hold in every project (the token's `roles` claim); `projects` grant roles in one project
 * each (the `projects` claim: `{ "<project>": ["editor", …] }`). A role held in a project is the higher of the two.
 */
export interface Principal {
  readonly subject: string;
  readonly roles: readonly Role[];
  /** Keys are validated project ids; a Map, so no claimed name is ever a property of a plain object. */
  readonly projects?: ReadonlyMap<string, readonly Role[]>;
}

export function isRole(value: unknown): value is Role {
  // Object.hasOwn, not `in`: "constructor" or "__proto__" must not pass as a role through the prototype.
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

function highest(roles: readonly Role[]): number {
  return roles.reduce((best, role) => Math.max(best, RANK[role]), 0);
}

/** A role held in every project. */
export function hasGlobalRole(principal: Principal, required: Role): boolean {
  return satisfies(principal.roles, required);
}

/** A role held in this project (globally or by a grant for it). */
export function hasRoleIn(principal: Principal, project: string, required: Role): boolean {
  return satisfies([...principal.roles, ...(principal.projects?.get(project) ?? [])], required);
}

/**
 * The role anywhere: what `@Authorized` checks before a resolver runs. The object's project is checked after
 * (services/project-access), so a project editor reaches a mutation but only writes to their projects.
 */
export function hasRole(principal: Principal, required: Role): boolean {
  if (hasGlobalRole(principal, required)) return true;
  for (const roles of principal.projects?.values() ?? []) if (satisfies([...principal.roles, ...roles], required)) return true;
  return false;
}

/** Projects the principal holds `required` in by a per-project grant (global roles cover every project). */
export function grantedProjects(principal: Principal, required: Role): string[] {
  return [...(principal.projects?.entries() ?? [])].filter(([, roles]) => satisfies(roles, required)).map(([project]) => project);
}
