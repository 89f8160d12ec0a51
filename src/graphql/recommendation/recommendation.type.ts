import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ExclusionReason, FigureSource } from '../../domain/recommendation/recommendation-enums';
import { Provenance } from '../benchmark/benchmark.type';
import { LicenseCheck } from '../governance/license.type';

registerEnumType(ExclusionReason, { name: 'ExclusionReason', description: 'Why a candidate version was left out of the recommendations.' });
registerEnumType(FigureSource, {
  name: 'FigureSource',
  valuesConfig: {
    EVIDENCE: { description: 'A stored benchmark or evaluation (benchmarkId / evaluationId and provenance name it).' },
    ESTIMATE: { description: 'Computed from the stored config (the memory fit): never a measurement.' },
    DERIVED: { description: 'Arithmetic on the offer and evidence (cost from the price and the measured throughput).' },
  },
});

export { ExclusionReason, FigureSource };

@ObjectType({ description: 'A figure a recommendation rests on, with the evidence it comes from.' })
export class RecommendationFigure {
  @Field(() => String, { description: 'ttft_p99_ms, tpot_p99_ms, throughput_tokens_per_second, an evaluation (metric), memory_gb, cost_per_million_output_tokens_usd.' })
  name!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String)
  unit!: string;

  @Field(() => Float, { nullable: true, description: 'The target or floor it was held to.' })
  target!: number | null;

  @Field(() => FigureSource)
  source!: FigureSource;

  @Field(() => Provenance, { nullable: true })
  provenance!: Provenance | null;

  @Field(() => ID, { nullable: true })
  benchmarkId!: string | null;

  @Field(() => ID, { nullable: true })
  evaluationId!: string | null;

  @Field(() => Int, { nullable: true, description: 'The measured load (benchmark level) the figure belongs to.' })
  concurrency!: number | null;

  @Field(() => String, { nullable: true })
  hardwareProfile!: string | null;
}

@ObjectType({ description: 'A version that meets every constraint, ranked.' })
export class Recommendation {
  @Field(() => Int)
  rank!: number;

  @Field(() => ID)
  versionId!: string;

  @Field(() => String, { description: '"model@version".' })
  label!: string;

  @Field(() => Float, { nullable: true, description: 'pricePerHourUsd / (measured tokens per second × 3600) × 10⁶; null without a price.' })
  costPerMillionOutputTokensUsd!: number | null;

  @Field(() => Float, { description: 'Measured output tokens per second at the level judged.' })
  throughputTokensPerSecond!: number;

  @Field(() => Float, { nullable: true, description: "The first floor's score (ties are broken by it)." })
  quality!: number | null;

  @Field(() => Float, { description: 'Estimated memory (weights + KV cache at the measured concurrency): an estimate, not a measurement.' })
  memoryEstimateGb!: number;

  @Field(() => [RecommendationFigure])
  figures!: RecommendationFigure[];

  @Field(() => LicenseCheck, { description: 'The licence check for the use asked (the same checker as checkLicense).' })
  licenseCheck!: LicenseCheck;

  @Field(() => String, { description: 'One paragraph: why this version, on which evidence, what is estimated.' })
  explanation!: string;
}

@ObjectType({ description: 'A version that passes every other check but has no benchmark on the hardware asked: never ranked.' })
export class UnmeasuredVersion {
  @Field(() => ID)
  versionId!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Float, { description: 'Estimated memory at the asked concurrency (an estimate).' })
  memoryEstimateGb!: number;

  @Field(() => String)
  explanation!: string;
}

@ObjectType()
export class ClosestMiss {
  @Field(() => ID)
  versionId!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Float, { nullable: true, description: 'What it measured (or, for DOES_NOT_FIT, the estimate).' })
  measured!: number | null;

  @Field(() => Float, { nullable: true })
  target!: number | null;
}

@ObjectType({ description: 'How many versions one reason left out, and the one that came closest.' })
export class ExclusionSummary {
  @Field(() => ExclusionReason)
  reason!: ExclusionReason;

  @Field(() => Int, { description: 'Versions left out for this reason (a version can miss several).' })
  count!: number;

  @Field(() => ClosestMiss, { nullable: true })
  closest!: ClosestMiss | null;

  @Field(() => String, { description: 'e.g. "3 versions exceed the TTFT target of 200 ms; the closest, x@1.2.0, measured 240 ms".' })
  message!: string;
}

@ObjectType()
export class RecommendationList {
  @Field(() => [Recommendation])
  recommendations!: Recommendation[];

  @Field(() => Int, { description: 'Versions meeting every constraint beyond `first`.' })
  moreQualifying!: number;

  @Field(() => [UnmeasuredVersion])
  unmeasured!: UnmeasuredVersion[];

  @Field(() => [ExclusionSummary])
  exclusions!: ExclusionSummary[];

  @Field(() => Int, { description: 'Versions the caller may read in the asked stages (and task) that were weighed.' })
  candidates!: number;

  @Field(() => Boolean, { description: 'More candidates than are weighed per request: narrow by task or stages.' })
  truncated!: boolean;

  @Field(() => String, { description: 'The hardware label benchmarks were matched on ("1xH100-80GB").' })
  hardwareProfile!: string;
}
