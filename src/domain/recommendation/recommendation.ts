import { metricsOffScale } from '../measurements/score-ranges';
import { servingMemoryGb } from '../hardware/hardware-estimate';
import { LicenseOutcome } from '../governance/license-check';
import type { Provenance } from '../catalog/catalog-enums';
import type { BenchmarkFacts, CandidateFacts, EvaluationFacts, LevelFacts } from './candidate-facts';
import type { ValidFloor, ValidRecommendInput } from './recommend-input';
import { ExclusionReason, FigureSource } from './recommendation-enums';
import { explainRecommendation, explainUnmeasured, exclusionMessage } from './recommendation-text';

export { ExclusionReason, FigureSource };

export interface Figure {
  name: string;
  value: number;
  unit: string;
  target: number | null;
  source: FigureSource;
  provenance: Provenance | null;
  benchmarkId: string | null;
  evaluationId: string | null;
  concurrency: number | null;
  hardwareProfile: string | null;
}

/** A constraint a version misses, with what was measured (or estimated) against the target. */
export interface Miss {
  reason: ExclusionReason;
  measured: number | null;
  target: number | null;
  /** How far off, as a ratio ≥ 1 (Infinity when nothing was measured): what "closest" compares. */
  gap: number;
  detail: string | null;
}

export interface RankedVersion {
  rank: number;
  candidate: CandidateFacts;
  costPerMillionOutputTokensUsd: number | null;
  throughputTokensPerSecond: number;
  quality: number | null;
  memoryEstimateGb: number;
  figures: Figure[];
  explanation: string;
}

export interface UnmeasuredVersion {
  candidate: CandidateFacts;
  memoryEstimateGb: number;
  explanation: string;
}

export interface ExclusionSummary {
  reason: ExclusionReason;
  count: number;
  closest: { candidate: CandidateFacts; miss: Miss } | null;
  message: string;
}

export interface RecommendationResult {
  recommendations: RankedVersion[];
  /** Qualifying versions beyond `first` (ranked, not shown). */
  moreQualifying: number;
  unmeasured: UnmeasuredVersion[];
  exclusions: ExclusionSummary[];
  candidates: number;
}

const ratio = (measured: number, target: number) => (target === 0 ? (measured === 0 ? 1 : Infinity) : measured / target);

/** The version's best counted score for a floor: its provenances, its metric (or the evaluation's own scale). */
export function bestScore(evaluations: readonly EvaluationFacts[], floor: ValidFloor): EvaluationFacts | null {
  const offScale = floor.metric ? [] : metricsOffScale(floor.benchmark);
  let best: EvaluationFacts | null = null;
  for (const e of evaluations) {
    if (e.benchmark !== floor.benchmark || !floor.provenances.includes(e.provenance)) continue;
    if (floor.metric ? e.metric !== floor.metric : e.metric !== null && offScale.includes(e.metric)) continue;
    if (!best || e.score > best.score) best = e;
  }
  return best;
}

function memoryAt(c: CandidateFacts, input: ValidRecommendInput, sequences: number): number {
  return servingMemoryGb(
    { parameterCount: c.parameterCount ?? 0n, bytesPerParameter: c.bytesPerParameter, contextLength: input.contextLength ?? c.contextLimit, numLayers: c.numLayers, numKeyValueHeads: c.numKeyValueHeads, headDim: c.headDim },
    sequences,
  );
}

/** Misses that need no benchmark: licence, quality floors, context, size and the fit at the least load asked. */
function staticMisses(c: CandidateFacts, input: ValidRecommendInput): Miss[] {
  const out: Miss[] = [];
  if (c.license.outcome === LicenseOutcome.BLOCKED) {
    out.push({ reason: ExclusionReason.LICENSE_BLOCKED, measured: null, target: null, gap: Infinity, detail: c.license.reasons.find((r) => r.severity === 'BLOCK')?.message ?? null });
  }
  for (const floor of input.floors) {
    const best = bestScore(c.evaluations, floor);
    if (!best) out.push({ reason: ExclusionReason.QUALITY_UNMEASURED, measured: null, target: floor.min, gap: Infinity, detail: floorName(floor) });
    else if (best.score < floor.min) out.push({ reason: ExclusionReason.QUALITY_BELOW_FLOOR, measured: best.score, target: floor.min, gap: ratio(floor.min, best.score), detail: floorName(floor) });
  }
  if (input.contextLength !== null && c.contextLimit !== null && c.contextLimit < input.contextLength) {
    out.push({ reason: ExclusionReason.CONTEXT_TOO_SHORT, measured: c.contextLimit, target: input.contextLength, gap: ratio(input.contextLength, c.contextLimit), detail: null });
  }
  if (c.parameterCount === null) {
    out.push({ reason: ExclusionReason.SIZE_UNKNOWN, measured: null, target: null, gap: Infinity, detail: null });
  } else {
    const total = input.hardware.gpuCount * input.hardware.gpuMemoryGb;
    const needed = memoryAt(c, input, input.slo.concurrency ?? 1);
    if (needed > total) out.push({ reason: ExclusionReason.DOES_NOT_FIT, measured: needed, target: total, gap: ratio(needed, total), detail: null });
  }
  return out;
}

export function floorName(floor: { benchmark: string; metric: string | null }): string {
  return floor.metric ? `${floor.benchmark} (${floor.metric})` : floor.benchmark;
}

interface LevelChoice {
  benchmark: BenchmarkFacts;
  level: LevelFacts;
  memoryGb: number;
  misses: Miss[];
}

/** The levels the SLO is judged on: per benchmark, the one at the asked concurrency or the next above; all without one. */
function levelsToJudge(c: CandidateFacts, input: ValidRecommendInput): { benchmark: BenchmarkFacts; level: LevelFacts }[] {
  const out: { benchmark: BenchmarkFacts; level: LevelFacts }[] = [];
  const asked = input.slo.concurrency;
  for (const benchmark of c.benchmarks) {
    const usable = benchmark.levels.filter((l) => l.throughputTokensPerSecond !== null);
    if (asked === null) {
      for (const level of usable) out.push({ benchmark, level });
      continue;
    }
    const atOrAbove = usable.filter((l) => l.concurrency !== null && l.concurrency >= asked).sort((a, b) => a.concurrency! - b.concurrency!);
    if (atOrAbove.length) out.push({ benchmark, level: atOrAbove[0] });
  }
  return out;
}

function judgeLevel(c: CandidateFacts, input: ValidRecommendInput, benchmark: BenchmarkFacts, level: LevelFacts): LevelChoice {
  const misses: Miss[] = [];
  const { maxTtftP99Ms, maxTpotP99Ms, minThroughputTokensPerSecond } = input.slo;
  const total = input.hardware.gpuCount * input.hardware.gpuMemoryGb;
  const memoryGb = memoryAt(c, input, level.concurrency ?? input.slo.concurrency ?? 1);
  if (memoryGb > total) misses.push({ reason: ExclusionReason.DOES_NOT_FIT, measured: memoryGb, target: total, gap: ratio(memoryGb, total), detail: null });
  const over = (reason: ExclusionReason, value: number | null, target: number | null) => {
    if (target === null) return;
    if (value === null) misses.push({ reason, measured: null, target, gap: Infinity, detail: null });
    else if (value > target) misses.push({ reason, measured: value, target, gap: ratio(value, target), detail: null });
  };
  over(ExclusionReason.TTFT_ABOVE_TARGET, level.ttftP99Ms, maxTtftP99Ms);
  over(ExclusionReason.TPOT_ABOVE_TARGET, level.tpotP99Ms, maxTpotP99Ms);
  const tps = level.throughputTokensPerSecond as number;
  if (minThroughputTokensPerSecond !== null && tps < minThroughputTokensPerSecond) {
    misses.push({ reason: ExclusionReason.THROUGHPUT_BELOW_TARGET, measured: tps, target: minThroughputTokensPerSecond, gap: ratio(minThroughputTokensPerSecond, tps), detail: null });
  }
  return { benchmark, level, memoryGb, misses };
}

const logGap = (misses: Miss[]) => misses.reduce((sum, m) => sum + Math.log(m.gap), 0);

/** The best level meeting the SLO (most throughput), or the nearest miss: fewest misses, then smallest gaps. */
function chooseLevel(c: CandidateFacts, input: ValidRecommendInput): { met: LevelChoice | null; nearest: LevelChoice | null } {
  const judged = levelsToJudge(c, input).map(({ benchmark, level }) => judgeLevel(c, input, benchmark, level));
  const met = judged.filter((j) => j.misses.length === 0).sort((a, b) => b.level.throughputTokensPerSecond! - a.level.throughputTokensPerSecond! || b.benchmark.recordedAt.getTime() - a.benchmark.recordedAt.getTime())[0] ?? null;
  const nearest = [...judged].sort((a, b) => a.misses.length - b.misses.length || logGap(a.misses) - logGap(b.misses))[0] ?? null;
  return { met, nearest };
}

function notMeasuredAt(c: CandidateFacts, asked: number): Miss {
  const highest = Math.max(0, ...c.benchmarks.flatMap((b) => b.levels.map((l) => l.concurrency ?? 0)));
  return { reason: ExclusionReason.NOT_MEASURED_AT_CONCURRENCY, measured: highest || null, target: asked, gap: highest ? asked / highest : Infinity, detail: null };
}

interface Qualified {
  candidate: CandidateFacts;
  choice: LevelChoice;
  cost: number | null;
  quality: number | null;
}

/** Ranks, sets apart and explains: the whole decision, on stored facts only. */
export function recommend(candidates: readonly CandidateFacts[], input: ValidRecommendInput): RecommendationResult {
  const qualified: Qualified[] = [];
  const unmeasured: UnmeasuredVersion[] = [];
  const missed: { candidate: CandidateFacts; miss: Miss }[] = [];
  const price = input.hardware.pricePerHourUsd;
  for (const c of candidates) {
    const misses = staticMisses(c, input);
    if (misses.length) {
      for (const miss of misses) missed.push({ candidate: c, miss });
      continue;
    }
    if (c.benchmarks.length === 0) {
      const memoryEstimateGb = memoryAt(c, input, input.slo.concurrency ?? 1);
      unmeasured.push({ candidate: c, memoryEstimateGb, explanation: explainUnmeasured(c, input, memoryEstimateGb) });
      continue;
    }
    const { met, nearest } = chooseLevel(c, input);
    if (met) {
      const tps = met.level.throughputTokensPerSecond!;
      const cost = price === null ? null : tps > 0 ? (price / (tps * 3600)) * 1e6 : Infinity;
      const quality = input.floors.length ? (bestScore(c.evaluations, input.floors[0])?.score ?? null) : null;
      qualified.push({ candidate: c, choice: met, cost, quality });
    } else if (nearest) {
      for (const miss of nearest.misses) missed.push({ candidate: c, miss });
    } else {
      missed.push({ candidate: c, miss: notMeasuredAt(c, input.slo.concurrency ?? 1) });
    }
  }
  qualified.sort((a, b) => compareQualified(a, b, price !== null));
  const recommendations = qualified.slice(0, input.first).map((q, i) => ranked(q, i + 1, input));
  return { recommendations, moreQualifying: Math.max(0, qualified.length - input.first), unmeasured, exclusions: summarise(missed, input), candidates: candidates.length };
}

function compareQualified(a: Qualified, b: Qualified, byCost: boolean): number {
  const primary = byCost ? a.cost! - b.cost! : b.choice.level.throughputTokensPerSecond! - a.choice.level.throughputTokensPerSecond!;
  if (primary !== 0 && !Number.isNaN(primary)) return primary;
  const quality = (b.quality ?? -Infinity) - (a.quality ?? -Infinity);
  if (quality !== 0 && !Number.isNaN(quality)) return quality;
  return a.candidate.label.localeCompare(b.candidate.label);
}

function ranked(q: Qualified, rank: number, input: ValidRecommendInput): RankedVersion {
  const { benchmark, level, memoryGb } = q.choice;
  const figures: Figure[] = [];
  const evidence = (name: string, value: number | null, unit: string, target: number | null) => {
    if (value !== null) figures.push({ name, value, unit, target, source: FigureSource.EVIDENCE, provenance: benchmark.provenance, benchmarkId: benchmark.id, evaluationId: null, concurrency: level.concurrency, hardwareProfile: benchmark.hardwareProfile });
  };
  evidence('ttft_p99_ms', level.ttftP99Ms, 'ms', input.slo.maxTtftP99Ms);
  evidence('tpot_p99_ms', level.tpotP99Ms, 'ms', input.slo.maxTpotP99Ms);
  evidence('throughput_tokens_per_second', level.throughputTokensPerSecond, 'tokens/s', input.slo.minThroughputTokensPerSecond);
  for (const floor of input.floors) {
    const best = bestScore(q.candidate.evaluations, floor)!;
    figures.push({ name: floorName(floor), value: best.score, unit: 'score', target: floor.min, source: FigureSource.EVIDENCE, provenance: best.provenance, benchmarkId: null, evaluationId: best.id, concurrency: null, hardwareProfile: null });
  }
  const plain = { provenance: null, benchmarkId: null, evaluationId: null, concurrency: level.concurrency, hardwareProfile: input.hardware.label };
  figures.push({ name: 'memory_gb', value: memoryGb, unit: 'GB', target: input.hardware.gpuCount * input.hardware.gpuMemoryGb, source: FigureSource.ESTIMATE, ...plain });
  if (q.cost !== null) figures.push({ name: 'cost_per_million_output_tokens_usd', value: q.cost, unit: 'USD', target: null, source: FigureSource.DERIVED, ...plain });
  const out: RankedVersion = {
    rank,
    candidate: q.candidate,
    costPerMillionOutputTokensUsd: q.cost,
    throughputTokensPerSecond: level.throughputTokensPerSecond!,
    quality: q.quality,
    memoryEstimateGb: memoryGb,
    figures,
    explanation: '',
  };
  out.explanation = explainRecommendation(out, benchmark, level, input);
  return out;
}

const REASON_ORDER = Object.values(ExclusionReason);

function summarise(missed: { candidate: CandidateFacts; miss: Miss }[], input: ValidRecommendInput): ExclusionSummary[] {
  const byReason = new Map<ExclusionReason, { candidate: CandidateFacts; miss: Miss }[]>();
  for (const m of missed) byReason.set(m.miss.reason, [...(byReason.get(m.miss.reason) ?? []), m]);
  return REASON_ORDER.filter((r) => byReason.has(r)).map((reason) => {
    const all = byReason.get(reason)!;
    const count = new Set(all.map((m) => m.candidate.versionId)).size;
    const closest = [...all].sort((a, b) => a.miss.gap - b.miss.gap || a.candidate.label.localeCompare(b.candidate.label))[0];
    return { reason, count, closest, message: exclusionMessage(reason, count, closest, input) };
  });
}
