import { ConfigError, type Env, intVar, optional } from './env-vars';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Outgoing webhooks: how long one attempt may take, how retries back off, when an endpoint is given up on. */
export interface WebhooksConfig {
  /** WEBHOOK_TIMEOUT_MS: one attempt (connect, send, headers and the bounded excerpt of the answer). */
  readonly timeoutMs: number;
  /** WEBHOOK_RETRY_BASE_MS: the first retry's delay; each next one doubles, with jitter. */
  readonly retryBaseMs: number;
  /** WEBHOOK_RETRY_MAX_INTERVAL_MS: the longest wait between two attempts. */
  readonly retryMaxIntervalMs: number;
  /** WEBHOOK_RETRY_WINDOW_MS: how long after the event attempts go on (default 24 h), then the delivery fails. */
  readonly retryWindowMs: number;
  /** WEBHOOK_DISABLE_AFTER_MS: an endpoint failing without one success for this long is disabled (default 5 days). */
  readonly disableAfterMs: number;
  /** WEBHOOK_ROTATION_WINDOW_MS: after a secret rotation the old secret still signs (a second signature) this long. */
  readonly rotationWindowMs: number;
  /** WEBHOOK_DISPATCH_INTERVAL_MS: the outbox sweep that catches events whose NOTIFY was missed. */
  readonly dispatchIntervalMs: number;
  /**
   * WEBHOOK_DISPATCH: whether this process's worker fans the outbox out to deliveries. Default on, off under
   * NODE_ENV=test, where many test files' workers share one database and would take each other's deliveries.
   */
  readonly dispatch: boolean;
}

function dispatchVar(env: Env, mode: string): boolean {
  const raw = optional(env, 'WEBHOOK_DISPATCH');
  if (raw === null) return mode !== 'test';
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`WEBHOOK_DISPATCH must be true or false, got "${raw.slice(0, 40)}"`);
}

export function loadWebhooksConfig(env: Env, mode: string): WebhooksConfig {
  return {
    timeoutMs: intVar(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    retryBaseMs: intVar(env, 'WEBHOOK_RETRY_BASE_MS', 5_000, 10, HOUR_MS),
    retryMaxIntervalMs: intVar(env, 'WEBHOOK_RETRY_MAX_INTERVAL_MS', 2 * HOUR_MS, 10, DAY_MS),
    retryWindowMs: intVar(env, 'WEBHOOK_RETRY_WINDOW_MS', DAY_MS, 1000, 7 * DAY_MS),
    disableAfterMs: intVar(env, 'WEBHOOK_DISABLE_AFTER_MS', 5 * DAY_MS, 1000, 90 * DAY_MS),
    rotationWindowMs: intVar(env, 'WEBHOOK_ROTATION_WINDOW_MS', DAY_MS, 0, 30 * DAY_MS),
    dispatchIntervalMs: intVar(env, 'WEBHOOK_DISPATCH_INTERVAL_MS', 5_000, 100, HOUR_MS),
    dispatch: dispatchVar(env, mode),
  };
}
