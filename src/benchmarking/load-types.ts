import type { AddressPolicy } from '../net/address-policy';

/** An OpenAI-compatible endpoint serving the model; the API key is already opened (never stored in this form). */
export interface LoadTarget {
  baseUrl: string;
  model: string;
  apiKey?: string | null;
  /** Checked on every new connection (the worker's URL_IMPORT_ALLOW rules); none in tests of the client alone. */
  policy?: AddressPolicy | null;
  /** An address already checked against the policy: connect there (load threads; the parent resolved it). */
  pinnedAddress?: string | null;
}

export type RequestApi = 'chat' | 'completion';

export interface PromptSpec {
  prompt: string;
  maxTokens: number;
}

/** One streamed request as the client saw it; times in milliseconds from the request's own start. */
export interface RequestSample {
  /** Offset of the request's start from the start of its level. */
  startMs: number;
  /** Wall-clock start (epoch ms, sub-millisecond): lines samples up with server logs. */
  startedAt: number;
  /**
   * When the whole request had been handed to the socket (null if it never was): the client's own cost before
   * the endpoint can see the request, including a new connection's setup. Absent in samples stored before it existed.
   */
  sentMs?: number | null;
  ttftMs: number | null;
  /** Every gap between consecutive content chunks. */
  itlMs: number[];
  e2eMs: number;
  inputTokens: number | null;
  outputTokens: number;
  /** True when output tokens came from counting chunks because the server sent no `usage`. */
  tokensCounted: boolean;
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  error: string | null;
  requestId: string;
}

/** Service-level objective for goodput: a request counts when it succeeds within both bounds. */
export interface Slo {
  ttftMs?: number | null;
  tpotMs?: number | null;
  e2eMs?: number | null;
}

export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  mean: number | null;
}

export interface LevelMetrics {
  concurrency: number;
  requests: number;
  errors: number;
  errorRate: number;
  durationS: number;
  ttftMs: LatencySummary;
  itlMs: LatencySummary;
  tpotMs: LatencySummary;
  e2eMs: LatencySummary;
  requestsPerSecond: number;
  outputTokensPerSecond: number;
  inputTokensPerSecond: number;
  /** Requests per second that met the SLO (all successes when no SLO is given). */
  goodput: number;
  sloAttainment: number;
}
