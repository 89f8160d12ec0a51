import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'Figures measured elsewhere, typed in: stored as RECORDED. Milliseconds and tokens/s are finite and not negative.' })
export class RecordBenchmarkInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => String)
  hardwareProfile!: string;

  @Field(() => Float, { nullable: true })
  ttftP50Ms?: number | null;

  @Field(() => Float, { nullable: true })
  ttftP99Ms?: number | null;

  @Field(() => Float, { nullable: true })
  latencyP50Ms?: number | null;

  @Field(() => Float, { nullable: true })
  latencyP99Ms?: number | null;

  @Field(() => Float, { nullable: true })
  throughputTokensPerSecond?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  configuration?: Record<string, unknown> | null;
}

@InputType({ description: 'A score typed in: stored as RECORDED, range-checked by its metric.' })
export class RecordEvaluationInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => String, { description: 'mmlu, humaneval, mt_bench, …' })
  benchmark!: string;

  @Field(() => Float, { description: "Within the metric's range: [0, 1] (a fraction: 0.81, not 81) unless the metric or evaluation is listed with another." })
  score!: number;

  @Field(() => String, {
    nullable: true,
    description: 'acc, exact_match, pass@1, perplexity, word_perplexity, bits_per_byte, rating, elo, …; decides the range (perplexity [1, ∞), bits_per_byte [0, ∞), rating [1, 10], elo unbounded).',
  })
  metric?: string | null;

  @Field(() => Int, { nullable: true })
  numShots?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  details?: Record<string, unknown> | null;
}
