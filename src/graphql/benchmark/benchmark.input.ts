import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType()
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

@InputType()
export class RecordEvaluationInput {
  @Field(() => ID)
  versionId!: string;

  @Field(() => String, { description: 'mmlu, humaneval, mt_bench, …' })
  benchmark!: string;

  @Field(() => Float)
  score!: number;

  @Field(() => Int, { nullable: true })
  numShots?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  details?: Record<string, unknown> | null;
}
