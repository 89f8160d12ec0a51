import { Field, Float, InputType, registerEnumType } from 'type-graphql';
import { ServingMetric } from '../../domain/catalog/evidence-filter';
import { FILTER_CAPS } from '../../domain/catalog/filter-tree';
import { Provenance } from '../benchmark/benchmark.type';

registerEnumType(ServingMetric, { name: 'ServingMetric', description: 'A serving figure of a benchmark run (the row summary: its best-throughput level).' });

export { ServingMetric };

const PROVENANCES = 'The provenances that count (default: MEASURED, our own runs).';

/** The evaluation (and metric) a condition or an ordering counts; the filter adds a range. */
@InputType({ description: 'The results of one evaluation that count: `benchmark` (and `metric`), of these provenances.' })
export class EvaluationOrderInput {
  @Field(() => String, { description: 'The evaluation: mmlu, humaneval, …' })
  benchmark!: string;

  @Field(() => String, { nullable: true, description: 'One metric of it (acc, exact_match, pass@1); none: every metric on the evaluation’s own scale.' })
  metric?: string | null;

  @Field(() => [Provenance], { nullable: true, description: PROVENANCES })
  provenances?: Provenance[] | null;
}

@InputType({ description: 'A result of `benchmark` (and `metric`) in [min, max]; bounds must lie in the score range of the evaluation (a fraction for most).' })
export class EvaluationScoreFilterInput extends EvaluationOrderInput {
  @Field(() => Float, { nullable: true })
  min?: number | null;

  @Field(() => Float, { nullable: true })
  max?: number | null;
}

/** The serving metric on a hardware profile a condition or an ordering counts; the filter adds a range. */
@InputType({ description: 'The benchmarks that count: `metric` on `hardwareProfile` (its label, e.g. "1xH100 vllm"), of these provenances.' })
export class BenchmarkOrderInput {
  @Field(() => ServingMetric)
  metric!: ServingMetric;

  @Field(() => String)
  hardwareProfile!: string;

  @Field(() => [Provenance], { nullable: true, description: PROVENANCES })
  provenances?: Provenance[] | null;
}

@InputType({ description: 'A benchmark on `hardwareProfile` (its label, e.g. "1xH100 vllm") whose `metric` lies in [min, max].' })
export class BenchmarkMetricFilterInput extends BenchmarkOrderInput {
  @Field(() => Float, { nullable: true })
  min?: number | null;

  @Field(() => Float, { nullable: true })
  max?: number | null;
}

@InputType({
  description: `Orders by each model's (in versions: each version's) best counted result, best first (highest score or throughput, lowest latency); only those with such a result are listed. Give exactly one of the two. Filters nest at most ${FILTER_CAPS.depth} levels.`,
})
export class ModelEvidenceOrderInput {
  @Field(() => EvaluationOrderInput, { nullable: true })
  evaluation?: EvaluationOrderInput | null;

  @Field(() => BenchmarkOrderInput, { nullable: true })
  benchmark?: BenchmarkOrderInput | null;
}
