import { ConfigError, type Env, intVar, optional } from './env-vars';

/** The schedule that refreshes REPORTED scores from the upstream model cards of Hugging Face models. */
export interface ReportedScoresConfig {
  /**
   * REPORTED_SCORES_REFRESH_CRON: a Temporal cron expression (five fields, or @hourly/@daily/@every 6h …);
   * null (the value `off`) removes the schedule. Default every 6 hours, like the seeds' LEADERBOARD_UPDATE_INTERVAL.
   */
  readonly refreshCron: string | null;
  /** REPORTED_SCORES_REFRESH_BATCH: models one activity checks (the workflow pages by model id). */
  readonly refreshBatch: number;
  /** REPORTED_SCORES_REFRESH_CONCURRENCY: model cards fetched at once within a batch. */
  readonly refreshConcurrency: number;
  /** REPORTED_SCORES_CARD_TIMEOUT_MS: one model's hub requests together (info + README) must finish within this. */
  readonly cardTimeoutMs: number;
  /**
   * UPSTREAM_WATCH_REQUESTS_PER_MINUTE: requests to the hub the refresh (and its upstream watch) makes per minute at
   * most, whatever the concurrency: the Hugging Face Hub rate-limits API calls per token. Default 120.
   */
  readonly hubRequestsPerMinute: number;
}

const DEFAULT_CRON = '0 */6 * * *';
const FIELD = /^[\d*/,?LW#A-Za-z-]+$/;
const DESCRIPTOR = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \d+[smhd](\d+[smhd])*)$/;

function cron(raw: string | null, mode: 'development' | 'test' | 'production'): string | null {
  // Tests start workers per file on a shared Temporal server: a schedule per worker would outlive them.
  if (raw === null) return mode === 'test' ? null : DEFAULT_CRON;
  if (raw === 'off') return null;
  const fields = raw.split(/\s+/);
  if (DESCRIPTOR.test(raw) || (fields.length >= 5 && fields.length <= 7 && fields.every((f) => FIELD.test(f)))) return fields.join(' ');
  throw new ConfigError(`REPORTED_SCORES_REFRESH_CRON must be a cron expression ("0 */6 * * *", "@every 6h") or "off", got "${raw.slice(0, 80)}"`);
}

/**
 * LEADERBOARD_UPDATE_INTERVAL (seconds, the seeds' setting) is read when REPORTED_SCORES_REFRESH_CRON is not set,
 * as `@every <n>s`; 0 turns the schedule off.
 */
function legacyInterval(env: Env): string | null {
  const raw = optional(env, 'LEADERBOARD_UPDATE_INTERVAL');
  if (raw === null) return null;
  if (!/^\d{1,9}$/.test(raw)) throw new ConfigError(`LEADERBOARD_UPDATE_INTERVAL must be whole seconds (21600 = 6 hours), got "${raw.slice(0, 80)}"`);
  const seconds = Number(raw);
  if (seconds === 0) return 'off';
  if (seconds < 60) throw new ConfigError('LEADERBOARD_UPDATE_INTERVAL must be at least 60 seconds (or 0 for off)');
  return `@every ${seconds}s`;
}

export function loadReportedScoresConfig(env: Env, mode: 'development' | 'test' | 'production'): ReportedScoresConfig {
  return {
    refreshCron: cron(optional(env, 'REPORTED_SCORES_REFRESH_CRON') ?? legacyInterval(env), mode),
    refreshBatch: intVar(env, 'REPORTED_SCORES_REFRESH_BATCH', 100, 1, 1000),
    refreshConcurrency: intVar(env, 'REPORTED_SCORES_REFRESH_CONCURRENCY', 4, 1, 64),
    cardTimeoutMs: intVar(env, 'REPORTED_SCORES_CARD_TIMEOUT_MS', 30_000, 1000, 600_000),
    hubRequestsPerMinute: intVar(env, 'UPSTREAM_WATCH_REQUESTS_PER_MINUTE', 120, 1, 60_000),
  };
}
