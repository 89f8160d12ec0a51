/** Reading environment variables: the helpers every config section shares. */

export class ConfigError extends Error {}

export type Env = Readonly<Record<string, string | undefined>>;

/** A set, non-blank value, trimmed; null when unset or blank. */
export function optional(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

/** An integer within [min, max]; the fallback when unset or blank; anything else is a ConfigError naming it. */
export function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}
