import { ValidationError } from '../common/domain-error';
import { intInRange, numberInRange, text } from '../common/field-rules';
import { type Provenance } from '../catalog/catalog-enums';
import { provenancesOf, validateEvaluationCondition, type ValidEvaluationCondition } from '../catalog/evidence-filter';
import { DEFAULT_USAGE, type LicenseUsage, validateUsage } from '../governance/license-check';
import { LifecycleStage } from '../lifecycle/lifecycle-stage';

export interface HardwareOffer {
  gpuType: string;
  gpuCount: number;
  gpuMemoryGb: number;
  pricePerHourUsd?: number | null;
}

export interface SloTarget {
  maxTtftP99Ms?: number | null;
  maxTpotP99Ms?: number | null;
  minThroughputTokensPerSecond?: number | null;
  /** The load the targets hold at: a benchmark level at this concurrency or the next one measured above it. */
  concurrency?: number | null;
}

export interface QualityFloor {
  benchmark: string;
  metric?: string | null;
  minScore: number;
  provenances?: Provenance[] | null;
}

export interface RecommendInput {
  task?: string | null;
  licenseUse?: Partial<LicenseUsage> | null;
  hardware: HardwareOffer;
  slo?: SloTarget | null;
  minQuality?: QualityFloor[] | null;
  contextLength?: number | null;
  stages?: LifecycleStage[] | null;
  /** The provenances of benchmarks that count (default MEASURED). */
  provenances?: Provenance[] | null;
  first?: number | null;
}

export interface ValidFloor extends ValidEvaluationCondition {
  min: number;
}

export interface ValidRecommendInput {
  task: string | null;
  usage: LicenseUsage;
  hardware: Required<HardwareOffer> & { pricePerHourUsd: number | null; label: string };
  slo: { maxTtftP99Ms: number | null; maxTpotP99Ms: number | null; minThroughputTokensPerSecond: number | null; concurrency: number | null };
  floors: ValidFloor[];
  contextLength: number | null;
  stages: LifecycleStage[];
  provenances: Provenance[];
  first: number;
}

export const RECOMMEND_LIMITS = { first: 50, floors: 10, contextLength: 10_000_000, gpuCount: 1024 } as const;

export function validateRecommendInput(input: RecommendInput): ValidRecommendInput {
  const hw = input.hardware;
  const gpuType = text('input.hardware.gpuType', hw.gpuType, 100, { min: 1 });
  if (/\s/.test(gpuType)) throw new ValidationError('input.hardware.gpuType', 'a GPU type has no spaces (as in the profile label "1xH100-80GB vllm")');
  const gpuCount = intInRange('input.hardware.gpuCount', hw.gpuCount, 1, RECOMMEND_LIMITS.gpuCount) as number;
  const gpuMemoryGb = numberInRange('input.hardware.gpuMemoryGb', hw.gpuMemoryGb, 0.001, 100_000) as number;
  const pricePerHourUsd = numberInRange('input.hardware.pricePerHourUsd', hw.pricePerHourUsd, 0.000001, 1_000_000);
  const slo = input.slo ?? {};
  const floors = input.minQuality ?? [];
  if (floors.length > RECOMMEND_LIMITS.floors) throw new ValidationError('input.minQuality', `at most ${RECOMMEND_LIMITS.floors} floors`);
  const stages = input.stages ?? [LifecycleStage.PUBLISHED];
  if (stages.length === 0) throw new ValidationError('input.stages', 'name at least one stage (or leave it out: PUBLISHED)');
  return {
    task: input.task === null || input.task === undefined ? null : text('input.task', input.task, 100, { min: 1 }).toLowerCase(),
    usage: validateUsage({ ...DEFAULT_USAGE, ...definedOnly(input.licenseUse ?? {}) }),
    hardware: { gpuType, gpuCount, gpuMemoryGb, pricePerHourUsd, label: `${gpuCount}x${gpuType}` },
    slo: {
      maxTtftP99Ms: numberInRange('input.slo.maxTtftP99Ms', slo.maxTtftP99Ms, 0, 3_600_000),
      maxTpotP99Ms: numberInRange('input.slo.maxTpotP99Ms', slo.maxTpotP99Ms, 0, 3_600_000),
      minThroughputTokensPerSecond: numberInRange('input.slo.minThroughputTokensPerSecond', slo.minThroughputTokensPerSecond, 0, 100_000_000),
      concurrency: intInRange('input.slo.concurrency', slo.concurrency, 1, 4096),
    },
    floors: floors.map((f, i) => {
      const field = `input.minQuality[${i}]`;
      const valid = validateEvaluationCondition(field, { benchmark: f.benchmark, metric: f.metric, min: f.minScore, provenances: f.provenances });
      return { ...valid, min: valid.min as number };
    }),
    contextLength: intInRange('input.contextLength', input.contextLength, 1, RECOMMEND_LIMITS.contextLength),
    stages: [...new Set(stages)],
    provenances: provenancesOf('input.provenances', input.provenances),
    first: intInRange('input.first', input.first, 1, RECOMMEND_LIMITS.first) ?? 5,
  };
}

function definedOnly(usage: Partial<LicenseUsage>): Partial<LicenseUsage> {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== null && v !== undefined)) as Partial<LicenseUsage>;
}
