/** Roles are ordered: each one may do everything the ones before it may. */
export enum Role {
  VIEWER = 'viewer',
  EDITOR = 'editor',
  APPROVER = 'approver',
  ADMIN = 'admin',
}

const RANK: Readonly<Record<Role, number>> = {
  [Role.VIEWER]: 1,
  [Role.EDITOR]: 2,
  [Role.APPROVER]: 3,
  [Role.ADMIN]: 4,
};

export interface Principal {
  readonly subject: string;
  readonly roles: readonly Role[];
}

export function isRole(value: unknown): value is Role {
  // Object.hasOwn, not `in`: "constructor" or "__proto__" must not pass as a role through the prototype.
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

export function hasRole(principal: Principal, required: Role): boolean {
  return principal.roles.some((role) => RANK[role] >= RANK[required]);
}
