import { PageInfo } from '../model/model-connection.type';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Provenance } from '../../domain/catalog/catalog-enums';
import { MetricDirection } from '../enums';

export { Provenance };
registerEnumType(Provenance, {
  name: 'Provenance',
  description: 'Who produced a result: MEASURED by a run here, RECORDED by hand (recordedBy says who), or REPORTED by an upstream model card.',
  valuesConfig: {
    MEASURED: { description: 'By our own benchmark or evaluation run (operationId names it).' },
    RECORDED: { description: 'Typed in through recordBenchmark or recordEvaluation; not evidence unless a gate accepts it.' },
    REPORTED: { description: "Read from the model card's model-index upstream." },
  },
});

@ObjectType({ description: 'Serving performance of a version on one hardware profile.' })
export class Benchmark {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'e.g. "1xH100-80GB".' })
  hardwareProfile!: string;

  @Field(() => Float, { nullable: true, description: 'Time to first token, median, milliseconds.' })
  ttftP50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  ttftP99Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'End-to-end request latency, median, milliseconds.' })
  latencyP50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  latencyP99Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'Generated tokens per second across the run.' })
  throughputTokensPerSecond!: number | null;

  @Field(() => GraphQLJSONObject, { description: 'Engine, batch size, concurrency, prompt and output lengths, …' })
  configuration!: Record<string, unknown>;

  @Field(() => Provenance, { description: 'MEASURED by a run here, RECORDED by hand or REPORTED by a model card.' })
  provenance!: Provenance;

  @Field(() => ID, { nullable: true, description: 'The BENCHMARK operation that measured it.' })
  operationId!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'GPU type and count, engine and version, quantization, tensor parallelism.' })
  profile!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The load scenario (levels, warm-up, stop rule, lengths, SLO).' })
  scenario!: Record<string, unknown> | null;

  @Field(() => [GraphQLJSONObject], {
    nullable: true,
    description:
      'Per level: concurrency, requestRate, requests, errors, errorRate, durationS, ttftMs/itlMs/tpotMs/e2eMs {p50 p90 p99 mean}, ' +
      'requestsPerSecond, outputTokensPerSecond, inputTokensPerSecond, goodput, sloAttainment.',
  })
  levels!: Record<string, unknown>[] | null;

  @Field(() => String, { description: 'Who recorded a RECORDED row (their token subject); the runner or refresh that wrote any other.' })
  recordedBy!: string;

  @Field(() => Date)
  recordedAt!: Date;
}

@ObjectType({ description: 'A quality score of a version on an evaluation benchmark.' })
export class Evaluation {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'mmlu, humaneval, mt_bench, …' })
  benchmark!: string;

  @Field(() => Float)
  score!: number;

  @Field(() => Int, { nullable: true })
  numShots!: number | null;

  @Field(() => Provenance, { description: 'MEASURED by a run here, RECORDED by hand or REPORTED by a model card.' })
  provenance!: Provenance;

  @Field(() => String, { nullable: true })
  suite!: string | null;

  @Field(() => String, { nullable: true })
  metric!: string | null;

  @Field(() => Int, { nullable: true, description: 'Items scored.' })
  n!: number | null;

  @Field(() => Float, { nullable: true, description: 'Standard error of the score.' })
  stderr!: number | null;

  @Field(() => String, { nullable: true })
  datasetVersion!: string | null;

  @Field(() => String, { nullable: true })
  runner!: string | null;

  @Field(() => String, { nullable: true })
  runnerVersion!: string | null;

  @Field(() => GraphQLJSONObject)
  details!: Record<string, unknown>;

  @Field(() => String)
  recordedBy!: string;

  @Field(() => Date)
  recordedAt!: Date;
}

@ObjectType()
export class LeaderboardEntry {
  @Field(() => Int, { description: 'Competition rank: equal values share a rank.' })
  rank!: number;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { nullable: true, description: 'Set for serving metrics.' })
  hardwareProfile!: string | null;

  @Field(() => Provenance, { description: 'Of the result this entry ranks by.' })
  provenance!: Provenance;

  @Field(() => Date)
  recordedAt!: Date;

  @Field(() => String, { description: 'Pass as `after` to continue the board after this entry.' })
  cursor!: string;

  modelId!: string;
  versionId!: string;
}

@ObjectType({ description: "Each model's best result on one metric, best first." })
export class Leaderboard {
  @Field(() => String)
  metric!: string;

  @Field(() => MetricDirection)
  direction!: MetricDirection;

  @Field(() => [LeaderboardEntry])
  entries!: LeaderboardEntry[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'A model on the Pareto front: its best quality and performance values.' })
export class ParetoPoint {
  @Field(() => Float)
  quality!: number;

  @Field(() => Float)
  performance!: number;

  @Field(() => String, { nullable: true, description: 'Where the performance value was measured.' })
  hardwareProfile!: string | null;

  modelId!: string;
  versionId!: string;
}

@ObjectType()
export class ParetoFront {
  @Field(() => String)
  qualityMetric!: string;

  @Field(() => String)
  performanceMetric!: string;

  @Field(() => [ParetoPoint], { description: 'Best quality first.' })
  points!: ParetoPoint[];
}
