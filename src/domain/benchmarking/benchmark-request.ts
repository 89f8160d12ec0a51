import { ValidationError } from '../common/domain-error';
import { httpUrl, intInRange, numberInRange, optionalText, text } from '../common/field-rules';

/** Where the model is served: an OpenAI-compatible endpoint. The key is sealed before it is stored anywhere. */
export interface TargetInput {
  url: string;
  model: string;
  apiKey?: string | null;
}

/** The stored target: the API key only as a sealed reference (never plain text, never returned). */
export interface StoredTarget {
  url: string;
  model: string;
  sealedApiKey: string | null;
}

export interface HardwareProfileInput {
  gpuType: string;
  gpuCount: number;
  engine: string;
  engineVersion?: string | null;
  quantization?: string | null;
  tensorParallel?: number | null;
}

export interface HardwareProfile {
  gpuType: string;
  gpuCount: number;
  engine: string;
  engineVersion: string | null;
  quantization: string | null;
  tensorParallel: number;
}

export interface SloInput {
  ttftMs?: number | null;
  tpotMs?: number | null;
  e2eMs?: number | null;
}

export interface ScenarioInput {
  api: 'chat' | 'completion';
  concurrencies?: number[] | null;
  requestRates?: number[] | null;
  warmupRequests?: number | null;
  rampUpSeconds?: number | null;
  requestsPerLevel?: number | null;
  durationSeconds?: number | null;
  inputTokens?: number | null;
  outputTokens: number;
  prompts?: string[] | null;
  slo?: SloInput | null;
}

export interface Scenario {
  api: 'chat' | 'completion';
  concurrencies: number[] | null;
  requestRates: number[] | null;
  warmupRequests: number;
  rampUpS: number | null;
  requestsPerLevel: number | null;
  durationS: number | null;
  inputTokens: number | null;
  outputTokens: number;
  prompts: string[] | null;
  slo: { ttftMs: number | null; tpotMs: number | null; e2eMs: number | null } | null;
}

const MAX_LEVELS = 16;
/** Slower than one request in 100 s is not a load; it also keeps every pacing wait within Node's timer range. */
const MIN_REQUEST_RATE = 0.01;
const MAX_CONCURRENCY = 4096;
const MAX_REQUESTS_PER_LEVEL = 100_000;
const MAX_PROMPTS = 1000;
const MAX_PROMPT_CHARS = 32_768;
const MAX_TOTAL_PROMPT_CHARS = 262_144;
const MAX_INPUT_TOKENS = 131_072;
const MAX_OUTPUT_TOKENS = 32_768;
/** Measured requests a whole run keeps as raw samples (each a few hundred bytes in memory and stored). */
export const MAX_REQUESTS_PER_RUN = 200_000;
/**
 * Output tokens a whole run may plan (requests × outputTokens): each is an inter-token gap kept in memory and
 * stored, so this bounds a run's samples at about 100 MB in memory and some tens of MB gzip'd.
 */
export const MAX_TOKENS_PER_RUN = 10_000_000;
/** Levels × durationSeconds: the sweep runs in one activity whose start-to-close timeout is 24 hours. */
const MAX_TOTAL_SECONDS = 20 * 3600;
/** Request bodies in flight at once (concurrency × prompt size): a worker's memory, not the endpoint's, is the limit. */
const MAX_IN_FLIGHT_BYTES = 256 * 1024 * 1024;
/** Synthetic prompts are words of about 5 letters and a space; JSON-escaped text takes up to 6 bytes a character. */
const SYNTHETIC_BYTES_PER_TOKEN = 6;
const ESCAPED_BYTES_PER_CHAR = 6;

/** The limits, as the schema's descriptions state them. */
export const SCENARIO_LIMITS = {
  levels: MAX_LEVELS, minRequestRate: MIN_REQUEST_RATE, concurrency: MAX_CONCURRENCY, requestsPerLevel: MAX_REQUESTS_PER_LEVEL, requestsPerRun: MAX_REQUESTS_PER_RUN,
  tokensPerRun: MAX_TOKENS_PER_RUN, totalSeconds: MAX_TOTAL_SECONDS, prompts: MAX_PROMPTS, promptChars: MAX_PROMPT_CHARS, totalPromptChars: MAX_TOTAL_PROMPT_CHARS,
  inputTokens: MAX_INPUT_TOKENS, outputTokens: MAX_OUTPUT_TOKENS, inFlightBytes: MAX_IN_FLIGHT_BYTES,
} as const;

/**
 * The most measured requests one level keeps: what requestsPerLevel allows, and for a level stopped by duration
 * alone its share of the run's sample budget (requests and planned output tokens).
 */
export function requestCapPerLevel(scenario: { concurrencies?: number[] | null; requestRates?: number[] | null; outputTokens: number }): number {
  const levels = (scenario.requestRates?.length ? scenario.requestRates : (scenario.concurrencies ?? [1])).length || 1;
  const byTokens = Math.floor(MAX_TOKENS_PER_RUN / Math.max(1, scenario.outputTokens));
  return Math.max(1, Math.floor(Math.min(MAX_REQUESTS_PER_RUN, byTokens) / levels));
}

/** Bytes of one request body's prompt, at most. */
function promptBytes(scenario: { prompts?: string[] | null; inputTokens?: number | null }): number {
  if (scenario.prompts?.length) return Math.max(...scenario.prompts.map((p) => p.length)) * ESCAPED_BYTES_PER_CHAR;
  return (scenario.inputTokens ?? 32) * SYNTHETIC_BYTES_PER_TOKEN;
}

/** Open-loop levels keep at most this many requests in flight (a slow endpoint must not make them pile up). */
export function openLoopInFlight(scenario: { prompts?: string[] | null; inputTokens?: number | null }): number {
  return Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(MAX_IN_FLIGHT_BYTES / Math.max(1, promptBytes(scenario)))));
}

/** Whole-run bounds: samples kept, time taken, memory of the bodies in flight. */
function checkRunBudget(s: Scenario): void {
  const levels = (s.requestRates ?? s.concurrencies ?? [1]).length;
  if (s.requestsPerLevel !== null) {
    if (levels * s.requestsPerLevel > MAX_REQUESTS_PER_RUN) {
      throw new ValidationError('scenario.requestsPerLevel', `levels × requestsPerLevel must be at most ${MAX_REQUESTS_PER_RUN} (got ${levels * s.requestsPerLevel})`);
    }
    if (levels * s.requestsPerLevel * s.outputTokens > MAX_TOKENS_PER_RUN) {
      throw new ValidationError('scenario.outputTokens', `levels × requestsPerLevel × outputTokens must be at most ${MAX_TOKENS_PER_RUN} (the run's raw samples are kept)`);
    }
  }
  if (s.durationS !== null && levels * s.durationS > MAX_TOTAL_SECONDS) {
    throw new ValidationError('scenario.durationSeconds', `levels × durationSeconds must be at most ${MAX_TOTAL_SECONDS} (a run is one activity of at most 24 hours)`);
  }
  // Open loop: requests at a fixed rate take requestsPerLevel / rate seconds whatever the endpoint does.
  const paced = (s.requestRates ?? []).reduce((sum, rate) => sum + Math.min(s.durationS ?? Infinity, (s.requestsPerLevel ?? Infinity) / rate), 0);
  if (paced > MAX_TOTAL_SECONDS) {
    throw new ValidationError('scenario.requestRates', `the levels' requests at these rates take ${Math.round(paced)} s; at most ${MAX_TOTAL_SECONDS}`);
  }
  const widest = s.concurrencies ? Math.max(...s.concurrencies) : 1;
  if (widest * promptBytes(s) > MAX_IN_FLIGHT_BYTES) {
    throw new ValidationError(s.prompts ? 'scenario.prompts' : 'scenario.inputTokens', `the highest concurrency × the prompt size must stay under ${MAX_IN_FLIGHT_BYTES / 1024 / 1024} MiB of request bodies in flight`);
  }
}

export function validateTarget(input: TargetInput): TargetInput & { url: string } {
  const url = httpUrl('target.url', input.url);
  if (!url) throw new ValidationError('target.url', 'is required');
  const parsed = new URL(url);
  if (parsed.username || parsed.password) throw new ValidationError('target.url', 'must not carry credentials; pass apiKey instead');
  // Requests go to <path>/v1/…: a query would be dropped, yet stored and shown with the results (and keys hide there).
  if (parsed.search || parsed.hash || url.includes('?') || url.includes('#')) throw new ValidationError('target.url', 'must be a base URL without a query or fragment; pass a key as apiKey');
  const apiKey = optionalText('target.apiKey', input.apiKey, 4096);
  // The key goes into a raw request head: a line break in it would add headers, or a whole request, of the caller's.
  if (apiKey !== null && !/^[\x21-\x7E]+$/.test(apiKey)) throw new ValidationError('target.apiKey', 'must be printable ASCII without spaces or line breaks');
  return { url, model: text('target.model', input.model, 300, { min: 1 }), apiKey };
}

export function validateProfile(input: HardwareProfileInput): HardwareProfile {
  return {
    gpuType: text('profile.gpuType', input.gpuType, 100, { min: 1 }),
    gpuCount: intInRange('profile.gpuCount', input.gpuCount, 0, 1024) ?? 0,
    engine: text('profile.engine', input.engine, 100, { min: 1 }),
    engineVersion: optionalText('profile.engineVersion', input.engineVersion, 100),
    quantization: optionalText('profile.quantization', input.quantization, 100),
    tensorParallel: intInRange('profile.tensorParallel', input.tensorParallel, 1, 1024) ?? 1,
  };
}

/** The history key of a profile: "2xH100-80GB vllm fp8 tp2" — what benchmarks are grouped and filtered by. */
export function profileLabel(p: HardwareProfile): string {
  const parts = [`${p.gpuCount}x${p.gpuType}`, p.engine];
  if (p.quantization) parts.push(p.quantization);
  if (p.tensorParallel > 1) parts.push(`tp${p.tensorParallel}`);
  return parts.join(' ');
}

function levels(field: string, values: number[] | null | undefined, min: number, max: number): number[] | null {
  if (!values?.length) return null;
  if (values.length > MAX_LEVELS) throw new ValidationError(field, `at most ${MAX_LEVELS} levels`);
  return values.map((v, i) => numberInRange(`${field}[${i}]`, v, min, max) as number);
}

export function validateScenario(input: ScenarioInput): Scenario {
  if (input.api !== 'chat' && input.api !== 'completion') throw new ValidationError('scenario.api', 'must be chat or completion');
  const concurrencies = levels('scenario.concurrencies', input.concurrencies, 1, MAX_CONCURRENCY);
  if (concurrencies?.some((c) => !Number.isInteger(c))) throw new ValidationError('scenario.concurrencies', 'must be whole numbers');
  const requestRates = levels('scenario.requestRates', input.requestRates, MIN_REQUEST_RATE, 10_000);
  if (concurrencies && requestRates) throw new ValidationError('scenario', 'give concurrencies or requestRates, not both');
  const requestsPerLevel = intInRange('scenario.requestsPerLevel', input.requestsPerLevel, 1, MAX_REQUESTS_PER_LEVEL);
  const durationS = numberInRange('scenario.durationSeconds', input.durationSeconds, 0.1, 86_400);
  if (requestsPerLevel === null && durationS === null) throw new ValidationError('scenario', 'a level stops by requestsPerLevel or durationSeconds; give one');
  if (input.prompts && input.prompts.length > MAX_PROMPTS) throw new ValidationError('scenario.prompts', `at most ${MAX_PROMPTS}`);
  const prompts = input.prompts?.length ? input.prompts.map((p, i) => text(`scenario.prompts[${i}]`, p, MAX_PROMPT_CHARS, { min: 1 })) : null;
  // The prompt set is stored with the operation and the results, and every listing of benchmarks returns it.
  const promptChars = prompts?.reduce((sum, p) => sum + p.length, 0) ?? 0;
  if (promptChars > MAX_TOTAL_PROMPT_CHARS) throw new ValidationError('scenario.prompts', `at most ${MAX_TOTAL_PROMPT_CHARS} characters in all (got ${promptChars})`);
  const slo = input.slo
    ? {
        ttftMs: numberInRange('scenario.slo.ttftMs', input.slo.ttftMs, 0, 3_600_000),
        tpotMs: numberInRange('scenario.slo.tpotMs', input.slo.tpotMs, 0, 3_600_000),
        e2eMs: numberInRange('scenario.slo.e2eMs', input.slo.e2eMs, 0, 86_400_000),
      }
    : null;
  const scenario: Scenario = {
    api: input.api,
    concurrencies: requestRates ? null : (concurrencies ?? [1]),
    requestRates,
    warmupRequests: intInRange('scenario.warmupRequests', input.warmupRequests, 0, 10_000) ?? 0,
    rampUpS: numberInRange('scenario.rampUpSeconds', input.rampUpSeconds, 0, 3600),
    requestsPerLevel,
    durationS,
    inputTokens: intInRange('scenario.inputTokens', input.inputTokens, 1, MAX_INPUT_TOKENS),
    outputTokens: intInRange('scenario.outputTokens', input.outputTokens, 1, MAX_OUTPUT_TOKENS) as number,
    prompts,
    slo,
  };
  checkRunBudget(scenario);
  return scenario;
}
