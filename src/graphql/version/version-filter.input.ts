import { Field, InputType } from 'type-graphql';
import { FILTER_CAPS } from '../../domain/catalog/filter-tree';
import { LifecycleStage, ScanStatus, SignatureState, SourceType } from '../enums';
import { BenchmarkMetricFilterInput, EvaluationScoreFilterInput } from '../model/evidence-filter.input';

@InputType({ description: 'Versions matching every field given, nested with and / or / not like ModelFilterInput (the same caps); evidence is the version’s own.' })
export class VersionFilterInput {
  @Field(() => [LifecycleStage], { nullable: true, description: 'Any of these stages.' })
  stages?: LifecycleStage[] | null;

  @Field(() => String, { nullable: true, description: 'Versions of the model of this name.' })
  model?: string | null;

  @Field(() => [String], { nullable: true, description: 'Versions of models carrying all of these tags.' })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Versions of models of this project (case-insensitive; "default" includes models registered without one).' })
  project?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after this time.' })
  createdSince?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before this time.' })
  createdBefore?: Date | null;

  @Field(() => Boolean, { nullable: true, description: 'A pre-release (1.0.0-rc.1) when true, a release when false.' })
  prerelease?: boolean | null;

  @Field(() => [SignatureState], { nullable: true, description: 'Any of these states of the upstream signature (`Version.signature`).' })
  signature?: SignatureState[] | null;

  @Field(() => [ScanStatus], { nullable: true, description: 'The latest scan ended in any of these (a version never scanned matches none).' })
  scanStatus?: ScanStatus[] | null;

  @Field(() => SourceType, { nullable: true, description: 'Imported from this kind of source (an upload is CUSTOM; a version never imported matches none).' })
  sourceType?: SourceType | null;

  @Field(() => EvaluationScoreFilterInput, { nullable: true, description: 'A result of this version on an evaluation within a score range (our own runs unless provenances say otherwise).' })
  evaluation?: EvaluationScoreFilterInput | null;

  @Field(() => BenchmarkMetricFilterInput, { nullable: true, description: 'A benchmark of this version on a hardware profile with a serving metric within a range.' })
  benchmark?: BenchmarkMetricFilterInput | null;

  @Field(() => [VersionFilterInput], { nullable: true, description: `Every one of these, besides this filter's own fields (at most ${FILTER_CAPS.width}).` })
  and?: VersionFilterInput[] | null;

  @Field(() => [VersionFilterInput], { nullable: true, description: `At least one of these (at most ${FILTER_CAPS.width}).` })
  or?: VersionFilterInput[] | null;

  @Field(() => VersionFilterInput, {
    nullable: true,
    description: `Not this. Filters nest at most ${FILTER_CAPS.depth} levels and hold at most ${FILTER_CAPS.nodes} nodes and ${FILTER_CAPS.evidence} evaluation or benchmark conditions in all.`,
  })
  not?: VersionFilterInput | null;
}
