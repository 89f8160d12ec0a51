import type { Caller } from '../auth/caller';
import { PROJECT_SQL } from './project';

/**
 * The SQL condition (over a models alias) every read path adds so it never returns what the caller cannot see:
 * the projects granted to the caller and public ones; null when the caller reads everything. `param` names a
 * bound text[] parameter holding `readableParam(caller)`.
 */
export function readableCondition(caller: Caller, alias: string, param: string): string | null {
  if (caller.readsAll) return null;
  const project = PROJECT_SQL(alias);
  return `(${project} = ANY(${param}) OR EXISTS (SELECT 1 FROM projects gp WHERE gp.id = ${project} AND gp.public))`;
}

/** The value bound to `readableCondition`'s parameter. */
export function readableParam(caller: Caller): string[] {
  return [...caller.readable];
}
