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
const MAX_CONCURRENCY = 4096;
const MAX_REQUESTS_PER_LEVEL = 100_000;
const MAX_PROMPTS = 1000;
const MAX_PROMPT_CHARS = 32_768;

export function validateTarget(input: TargetInput): TargetInput & { url: string } {
  const url = httpUrl('target.url', input.url);
  if (!url) throw new ValidationError('target.url', 'is required');
  if (new URL(url).username || new URL(url).password) throw new ValidationError('target.url', 'must not carry credentials; pass apiKey instead');
  return { url, model: text('target.model', input.model, 300, { min: 1 }), apiKey: optionalText('target.apiKey', input.apiKey, 4096) };
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

function levels(field: string, values: number[] | null | undefined, max: number): number[] | null {
  if (!values?.length) return null;
  if (values.length > MAX_LEVELS) throw new ValidationError(field, `at most ${MAX_LEVELS} levels`);
  return values.map((v, i) => numberInRange(`${field}[${i}]`, v, Number.MIN_VALUE, max) as number);
}

export function validateScenario(input: ScenarioInput): Scenario {
  if (input.api !== 'chat' && input.api !== 'completion') throw new ValidationError('scenario.api', 'must be chat or completion');
  const concurrencies = levels('scenario.concurrencies', input.concurrencies, MAX_CONCURRENCY);
  if (concurrencies?.some((c) => !Number.isInteger(c))) throw new ValidationError('scenario.concurrencies', 'must be whole numbers');
  const requestRates = levels('scenario.requestRates', input.requestRates, 10_000);
  if (concurrencies && requestRates) throw new ValidationError('scenario', 'give concurrencies or requestRates, not both');
  const requestsPerLevel = intInRange('scenario.requestsPerLevel', input.requestsPerLevel, 1, MAX_REQUESTS_PER_LEVEL);
  const durationS = numberInRange('scenario.durationSeconds', input.durationSeconds, 0.1, 86_400);
  if (requestsPerLevel === null && durationS === null) throw new ValidationError('scenario', 'a level stops by requestsPerLevel or durationSeconds; give one');
  if (input.prompts && input.prompts.length > MAX_PROMPTS) throw new ValidationError('scenario.prompts', `at most ${MAX_PROMPTS}`);
  const prompts = input.prompts?.length ? input.prompts.map((p, i) => text(`scenario.prompts[${i}]`, p, MAX_PROMPT_CHARS, { min: 1 })) : null;
  const slo = input.slo
    ? {
        ttftMs: numberInRange('scenario.slo.ttftMs', input.slo.ttftMs, 0, 3_600_000),
        tpotMs: numberInRange('scenario.slo.tpotMs', input.slo.tpotMs, 0, 3_600_000),
        e2eMs: numberInRange('scenario.slo.e2eMs', input.slo.e2eMs, 0, 86_400_000),
      }
    : null;
  return {
    api: input.api,
    concurrencies: requestRates ? null : (concurrencies ?? [1]),
    requestRates,
    warmupRequests: intInRange('scenario.warmupRequests', input.warmupRequests, 0, 10_000) ?? 0,
    rampUpS: numberInRange('scenario.rampUpSeconds', input.rampUpSeconds, 0, 3600),
    requestsPerLevel,
    durationS,
    inputTokens: intInRange('scenario.inputTokens', input.inputTokens, 1, 1_000_000),
    outputTokens: intInRange('scenario.outputTokens', input.outputTokens, 1, 1_000_000) as number,
    prompts,
    slo,
  };
}
