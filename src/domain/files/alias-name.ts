import { ValidationError } from '../common/domain-error';
import { printable } from '../common/field-rules';

/** The model's default version, as an alias: stored as models.default_version_id, moved like any alias. */
export const DEFAULT_ALIAS = 'default';

/** The hub clients' default branch: resolves to the alias `default`, and cannot be an alias of its own. */
export const HUB_MAIN = 'main';

const ALIAS = /^[a-z][a-z0-9._-]{0,62}$/;
const COMMIT = /^[0-9a-f]{40}$/;

/**
 * An alias name. It starts with a letter so it never reads as a semver version, and `main` is refused: a hub
 * client's revision is a version, an alias or `main`, and must mean one thing.
 */
export function aliasName(field: string, value: string): string {
  const name = printable(field, value).trim().toLowerCase();
  if (!ALIAS.test(name) || COMMIT.test(name)) {
    throw new ValidationError(field, 'an alias is 1-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter');
  }
  if (name === HUB_MAIN) throw new ValidationError(field, '"main" is how hub clients name the alias "default"; use "default"');
  return name;
}

/** Protected aliases (PROTECTED_ALIASES, `production` by default) move only with the approver role. */
export function isProtectedAlias(name: string, protectedAliases: readonly string[]): boolean {
  return protectedAliases.includes(name);
}
