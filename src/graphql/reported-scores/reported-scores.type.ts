import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A model whose upstream card could not be read; it kept its reported scores.' })
export class ReportedScoresFailure {
  @Field(() => ID)
  modelId!: string;

  @Field(() => String, { description: 'What the hub answered (gone, private or gated, a time-out, a server error).' })
  reason!: string;
}

@ObjectType({ description: 'What a refresh of reported scores from upstream model cards came to.' })
export class ReportedScoresRefresh {
  @Field(() => Int)
  checked!: number;

  @Field(() => Int, { description: "Models whose card's model-index changed: their REPORTED evaluations were replaced." })
  changed!: number;

  @Field(() => Int)
  unchanged!: number;

  @Field(() => Int, { description: 'Models with no live version imported from the hub.' })
  skipped!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => [ReportedScoresFailure], { description: 'The first failures (at most 20).' })
  failures!: ReportedScoresFailure[];
}
