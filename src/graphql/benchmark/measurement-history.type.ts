import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { BenchmarkRecord, EvaluationRecord } from '../../domain/catalog/catalog-records';
import { PageInfo } from '../model/model-connection.type';
import { Benchmark, Evaluation } from './benchmark.type';

// Values equal to names: the federated schema is rebuilt from SDL, which keeps names only.
export enum HistoryOrder {
  NEWEST_FIRST = 'NEWEST_FIRST',
  OLDEST_FIRST = 'OLDEST_FIRST',
}
registerEnumType(HistoryOrder, { name: 'HistoryOrder', description: 'NEWEST_FIRST for the latest results, OLDEST_FIRST to plot a trend forward.' });

@ObjectType()
export class BenchmarkEdge {
  @Field(() => String) cursor!: string;
  /** The stored row (its entity carries provenance, profile, levels…); the Benchmark type reads its fields. */
  @Field(() => Benchmark) node!: BenchmarkRecord;
}

@ObjectType({ description: "A model's benchmark runs over time, by recordedAt (then id)." })
export class BenchmarkHistory {
  @Field(() => [BenchmarkEdge]) edges!: BenchmarkEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  /** Not a field: what `hardwareProfiles` reads. */
  modelId!: string;
}

@ObjectType()
export class EvaluationEdge {
  @Field(() => String) cursor!: string;
  /** The stored row; the Evaluation type reads its fields. */
  @Field(() => Evaluation) node!: EvaluationRecord;
}

@ObjectType({ description: "A model's evaluation results over time, by recordedAt (then id)." })
export class EvaluationHistory {
  @Field(() => [EvaluationEdge]) edges!: EvaluationEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  /** Not a field: what `evaluations` reads. */
  modelId!: string;
}
