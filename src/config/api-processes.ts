import os from 'node:os';
import { ConfigError, type Env, optional } from './env-vars';

/** Most API processes one host may be asked for: far past any core count we run on, low enough to catch a typo. */
export const MAX_API_PROCESSES = 256;

/**
 * API_PROCESSES: how many API processes `npm start` runs on the one HTTP port (node:cluster). Unset or 1: one process,
 * no cluster primary (the behaviour before the setting existed). `auto`: the host's available parallelism (the cores
 * this process may use). Anything else is a startup error naming the variable.
 */
export function apiProcesses(env: Env, parallelism: () => number = () => os.availableParallelism()): number {
  const raw = optional(env, 'API_PROCESSES');
  if (raw === null) return 1;
  if (raw.toLowerCase() === 'auto') return Math.max(1, Math.min(MAX_API_PROCESSES, parallelism()));
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_API_PROCESSES) {
    throw new ConfigError(`API_PROCESSES must be "auto" or an integer between 1 and ${MAX_API_PROCESSES}, got "${raw}"`);
  }
  return value;
}
