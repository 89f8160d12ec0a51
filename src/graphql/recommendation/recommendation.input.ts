import { Field, Float, InputType, Int } from 'type-graphql';
import { RECOMMEND_LIMITS } from '../../domain/recommendation/recommend-input';
import { Provenance } from '../benchmark/benchmark.type';
import { LifecycleStage } from '../enums';
import { LicenseUsageInput } from '../governance/license.type';

@InputType({ description: 'The hardware on offer: benchmarks on a profile whose label starts "<gpuCount>x<gpuType>" (any engine) count.' })
export class HardwareOfferInput {
  @Field(() => String, { description: 'As in the benchmark profile label: H100-80GB, L4, …' })
  gpuType!: string;

  @Field(() => Int)
  gpuCount!: number;

  @Field(() => Float, { description: 'Memory of one GPU; the fit is checked against gpuCount × gpuMemoryGb.' })
  gpuMemoryGb!: number;

  @Field(() => Float, { nullable: true, description: 'Price of the whole offer per hour: ranks by cost per million output tokens.' })
  pricePerHourUsd?: number | null;
}

@InputType({ description: 'Service-level targets, judged on a measured benchmark level at `concurrency` (or the nearest level measured above it).' })
export class SloTargetInput {
  @Field(() => Float, { nullable: true })
  maxTtftP99Ms?: number | null;

  @Field(() => Float, { nullable: true })
  maxTpotP99Ms?: number | null;

  @Field(() => Float, { nullable: true })
  minThroughputTokensPerSecond?: number | null;

  @Field(() => Int, { nullable: true, description: 'Concurrent requests the targets must hold at; none: any measured level.' })
  concurrency?: number | null;
}

@InputType()
export class QualityFloorInput {
  @Field(() => String, { description: 'The evaluation: mmlu, humaneval, …' })
  benchmark!: string;

  @Field(() => String, { nullable: true, description: 'One metric of it; none: its own scale.' })
  metric?: string | null;

  @Field(() => Float)
  minScore!: number;

  @Field(() => [Provenance], { nullable: true, description: 'Results that count (default MEASURED).' })
  provenances?: Provenance[] | null;
}

@InputType()
export class RecommendInput {
  @Field(() => String, { nullable: true, description: 'e.g. text-generation, chat: matched against the model tags and tasks and the pipeline tag read from its card.' })
  task?: string | null;

  @Field(() => LicenseUsageInput, { nullable: true, description: "The licence checker's use (defaults as checkLicense)." })
  licenseUse?: LicenseUsageInput | null;

  @Field(() => HardwareOfferInput)
  hardware!: HardwareOfferInput;

  @Field(() => SloTargetInput, { nullable: true })
  slo?: SloTargetInput | null;

  @Field(() => [QualityFloorInput], { nullable: true, description: `At most ${RECOMMEND_LIMITS.floors}.` })
  minQuality?: QualityFloorInput[] | null;

  @Field(() => Int, { nullable: true, description: 'The context the workload needs: sizes the KV cache in the fit.' })
  contextLength?: number | null;

  @Field(() => [LifecycleStage], { nullable: true, description: 'Default [PUBLISHED].' })
  stages?: LifecycleStage[] | null;

  @Field(() => [Provenance], { nullable: true, description: 'Benchmarks that count (default MEASURED).' })
  provenances?: Provenance[] | null;

  @Field(() => Int, { nullable: true, description: `Recommendations returned (default 5, at most ${RECOMMEND_LIMITS.first}).` })
  first?: number | null;
}
