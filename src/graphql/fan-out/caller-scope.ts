import type { Principal } from '../../domain/auth/roles';

/**
 * What decides what a subscriber may read: its global roles and its roles per project (not who it is: reads never
 * depend on the subject). Two subscribers with equal keys read exactly the same rows, so they may share one
 * execution of the same document and variables; any difference in a role or a project makes another key.
 */
export function scopeKeyOf(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  const projects = [...(principal.projects ?? new Map<string, readonly string[]>()).entries()]
    .map(([project, roles]) => [project, [...roles].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([[...principal.roles].sort(), projects]);
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` give one key. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted = new Map(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return Object.fromEntries(sorted);
  });
}
