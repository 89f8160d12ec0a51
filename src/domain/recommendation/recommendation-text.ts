import { counted } from '../common/plural';
import { LicenseOutcome } from '../governance/license-check';
import type { BenchmarkFacts, CandidateFacts, LevelFacts } from './candidate-facts';
import { ExclusionReason } from './recommendation-enums';
import type { Miss, RankedVersion } from './recommendation';
import type { ValidRecommendInput } from './recommend-input';

const num = (value: number, digits = 1) => (Number.isInteger(value) ? String(value) : value.toFixed(digits));
const money = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3));

function offered(input: ValidRecommendInput): string {
  return `${input.hardware.gpuCount} × ${num(input.hardware.gpuMemoryGb)} GB ${input.hardware.gpuType}`;
}

function fitSentence(c: CandidateFacts, input: ValidRecommendInput, memoryGb: number, sequences: number): string {
  const context = input.contextLength ?? c.contextLimit;
  const kv = c.numLayers && c.numKeyValueHeads && c.headDim && context
    ? `plus the KV cache for ${counted(sequences, 'sequence')} of ${context} tokens`
    : 'with no KV cache counted (the config gives no layer and head sizes or no context length)';
  return `Its weights ${kv} are estimated at ${num(memoryGb)} GB of the ${num(input.hardware.gpuCount * input.hardware.gpuMemoryGb)} GB offered (${offered(input)}); that is an estimate from the stored config, not a measurement.`;
}

function licenseSentence(c: CandidateFacts): string {
  const id = c.license.licenseId ?? 'declared';
  if (c.license.outcome === LicenseOutcome.ALLOWED) return `The ${id} licence allows this use.`;
  const warnings = c.license.reasons.filter((r) => r.severity === 'WARN').map((r) => r.message);
  return `The ${id} licence allows this use with a warning${c.license.acknowledged ? ' (acknowledged)' : ''}: ${warnings.join('; ')}.`;
}

/** One paragraph: why this version, on which evidence, and what is estimated rather than measured. */
export function explainRecommendation(r: RankedVersion, benchmark: BenchmarkFacts, level: LevelFacts, input: ValidRecommendInput): string {
  const measured: string[] = [];
  if (level.ttftP99Ms !== null) measured.push(`${num(level.ttftP99Ms)} ms P99 time to first token${input.slo.maxTtftP99Ms !== null ? ` (target ≤ ${num(input.slo.maxTtftP99Ms)})` : ''}`);
  if (level.tpotP99Ms !== null) measured.push(`${num(level.tpotP99Ms)} ms P99 time per output token${input.slo.maxTpotP99Ms !== null ? ` (target ≤ ${num(input.slo.maxTpotP99Ms)})` : ''}`);
  measured.push(`${num(r.throughputTokensPerSecond)} output tokens/s${input.slo.minThroughputTokensPerSecond !== null ? ` (target ≥ ${num(input.slo.minThroughputTokensPerSecond)})` : ''}`);
  const load = level.concurrency !== null ? ` at concurrency ${level.concurrency}${input.slo.concurrency !== null && level.concurrency > input.slo.concurrency ? ` (the nearest level measured at or above the ${input.slo.concurrency} asked)` : ''}` : '';
  const parts = [
    `${r.candidate.label} ranks #${r.rank}${r.costPerMillionOutputTokensUsd !== null ? ` by cost` : ' by throughput'}: on ${benchmark.hardwareProfile} it measured ${measured.join(', ')}${load} (benchmark ${benchmark.id}, ${benchmark.provenance}).`,
  ];
  if (r.costPerMillionOutputTokensUsd !== null) {
    parts.push(`At $${money(input.hardware.pricePerHourUsd!)}/h that is $${money(r.costPerMillionOutputTokensUsd)} per million output tokens (price ÷ measured tokens per hour).`);
  }
  parts.push(fitSentence(r.candidate, input, r.memoryEstimateGb, level.concurrency ?? input.slo.concurrency ?? 1));
  parts.push(licenseSentence(r.candidate));
  const floors = r.figures.filter((f) => f.evaluationId !== null).map((f) => `${f.name} ${num(f.value, 3)} ≥ ${num(f.target!, 3)} (evaluation ${f.evaluationId}, ${f.provenance})`);
  if (floors.length) parts.push(`Quality: ${floors.join('; ')}.`);
  return parts.join(' ');
}

export function explainUnmeasured(c: CandidateFacts, input: ValidRecommendInput, memoryGb: number): string {
  return `${c.label} passes the licence${input.floors.length ? ' and quality' : ''} checks and is estimated to fit, but has no ${input.provenances.join(' or ')} benchmark on ${input.hardware.label}: it is not ranked, since nothing stored shows it meets the targets. ${fitSentence(c, input, memoryGb, input.slo.concurrency ?? 1)} Run a benchmark on this hardware to rank it.`;
}

function versions(count: number): string {
  return count === 1 ? '1 version' : `${count} versions`;
}

function closestText(closest: { candidate: CandidateFacts; miss: Miss } | null, describe: (m: Miss) => string): string {
  if (!closest || closest.miss.measured === null) return '';
  return `; the closest, ${closest.candidate.label}, ${describe(closest.miss)}`;
}

/** "3 versions exceed the TTFT target of 200 ms; the closest, x@1.2.0, measured 240 ms". */
export function exclusionMessage(reason: ExclusionReason, count: number, closest: { candidate: CandidateFacts; miss: Miss } | null, input: ValidRecommendInput): string {
  const n = versions(count);
  const verb = (one: string, many: string) => (count === 1 ? one : many);
  const m = (f: (miss: Miss) => string) => closestText(closest, f);
  switch (reason) {
    case ExclusionReason.LICENSE_BLOCKED:
      return `${n} ${verb('has a licence that blocks', 'have licences that block')} this use${closest ? `; e.g. ${closest.candidate.label}: ${closest.miss.detail ?? 'blocked'}` : ''}`;
    case ExclusionReason.QUALITY_UNMEASURED:
      return `${n} ${verb('has', 'have')} no ${input.floors[0]?.provenances.join(' or ') ?? 'counted'} result for a quality floor${closest?.miss.detail ? ` (e.g. ${closest.candidate.label} on ${closest.miss.detail})` : ''}`;
    case ExclusionReason.QUALITY_BELOW_FLOOR:
      return `${n} ${verb('scores', 'score')} below a quality floor${m((x) => `has ${x.detail} ${num(x.measured!, 3)} against ${num(x.target!, 3)}`)}`;
    case ExclusionReason.CONTEXT_TOO_SHORT:
      return `${n} ${verb('supports', 'support')} less than the ${input.contextLength} tokens of context asked${m((x) => `supports ${x.measured}`)}`;
    case ExclusionReason.SIZE_UNKNOWN:
      return `${n} ${verb('has', 'have')} no known parameter count, so ${verb('its', 'their')} memory cannot be estimated`;
    case ExclusionReason.DOES_NOT_FIT:
      return `${n} ${verb('does', 'do')} not fit ${offered(input)} by the estimate${m((x) => `needs an estimated ${num(x.measured!)} GB`)}`;
    case ExclusionReason.NOT_MEASURED_AT_CONCURRENCY:
      return `${n} ${verb('was', 'were')} benchmarked on ${input.hardware.label} only below concurrency ${input.slo.concurrency ?? 1}${m((x) => `up to ${x.measured}`)}`;
    case ExclusionReason.TTFT_ABOVE_TARGET:
      return `${n} ${verb('exceeds', 'exceed')} the TTFT target of ${num(input.slo.maxTtftP99Ms!)} ms${m((x) => `measured ${num(x.measured!)} ms`)}`;
    case ExclusionReason.TPOT_ABOVE_TARGET:
      return `${n} ${verb('exceeds', 'exceed')} the TPOT target of ${num(input.slo.maxTpotP99Ms!)} ms${m((x) => `measured ${num(x.measured!)} ms`)}`;
    case ExclusionReason.THROUGHPUT_BELOW_TARGET:
      return `${n} ${verb('falls', 'fall')} short of ${num(input.slo.minThroughputTokensPerSecond!)} output tokens/s${m((x) => `measured ${num(x.measured!)} tokens/s`)}`;
    default:
      return `${n} left out`;
  }
}
