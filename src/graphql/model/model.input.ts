import { Field, Float, InputType, Int } from 'type-graphql';
import { EndpointType, Modality, LifecycleStage, SourceType } from '../enums';
import { BigIntScalar } from '../scalars/bigint.scalar';
import { FILTER_CAPS } from '../../domain/catalog/filter-tree';
import { BenchmarkMetricFilterInput, EvaluationScoreFilterInput } from './evidence-filter.input';

@InputType()
export class LicenseRestrictionsInput {
  @Field(() => Boolean, { nullable: true })
  commercialUse?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  derivatives?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  attributionRequired?: boolean | null;

  @Field(() => BigIntScalar, { nullable: true })
  monthlyActiveUsersLimit?: bigint | null;

  @Field(() => String, { nullable: true })
  notes?: string | null;
}

@InputType()
export class HardwareRequirementsInput {
  @Field(() => Float, { nullable: true })
  minGpuMemoryGb?: number | null;

  @Field(() => String, { nullable: true })
  recommendedGpu?: string | null;

  @Field(() => Int, { nullable: true })
  recommendedGpuCount?: number | null;
}

@InputType()
export class ModelLinksInput {
  @Field(() => String, { nullable: true })
  website?: string | null;

  @Field(() => String, { nullable: true })
  github?: string | null;

  @Field(() => String, { nullable: true })
  huggingFace?: string | null;

  @Field(() => String, { nullable: true })
  paper?: string | null;
}

/** Fields shared by registration and update; on update, an omitted field is kept and null clears it. */
// Registered only so the two inputs below inherit its fields; no field uses it, so it is not in the schema.
@InputType()
export abstract class ModelFieldsInput {
  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  sourceUri?: string | null;

  @Field(() => String, { nullable: true })
  architecture?: string | null;

  @Field(() => BigIntScalar, { nullable: true })
  parameterCount?: bigint | null;

  @Field(() => Int, { nullable: true })
  contextLength?: number | null;

  @Field(() => [Modality], { nullable: true })
  inputModalities?: Modality[] | null;

  @Field(() => [Modality], { nullable: true })
  outputModalities?: Modality[] | null;

  @Field(() => [EndpointType], { nullable: true })
  endpoints?: EndpointType[] | null;

  @Field(() => String, { nullable: true, description: 'License id from `licenses` (SPDX id where one exists).' })
  license?: string | null;

  @Field(() => LicenseRestrictionsInput, { nullable: true, description: "Defaults to the license's terms." })
  licenseRestrictions?: LicenseRestrictionsInput | null;

  @Field(() => HardwareRequirementsInput, { nullable: true })
  requirements?: HardwareRequirementsInput | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => [String], { nullable: true })
  tasks?: string[] | null;

  @Field(() => String, { nullable: true })
  owner?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The project: a project id, stored trimmed and lowercased as roles are checked; none is "default". On updateModel a new one moves the model (the editor role is needed in both projects).',
  })
  project?: string | null;

  @Field(() => ModelLinksInput, { nullable: true })
  links?: ModelLinksInput | null;
}

@InputType()
export class RegisterModelInput extends ModelFieldsInput {
  @Field(() => String, { description: 'Unique slug: lowercase letters, digits, ".", "_" and "-".' })
  name!: string;

  @Field(() => SourceType)
  sourceType!: SourceType;
}

@InputType()
export class UpdateModelInput extends ModelFieldsInput {
  @Field(() => String, { nullable: true, description: 'Renames the model; the new slug must be free.' })
  name?: string | null;

  @Field(() => SourceType, { nullable: true })
  sourceType?: SourceType | null;
}

@InputType()
export class ModelFilterInput {
  @Field(() => String, { nullable: true, description: 'Matches name, display name and description (substring) or a tag (exact).' })
  search?: string | null;

  @Field(() => String, { nullable: true })
  architecture?: string | null;

  @Field(() => SourceType, { nullable: true })
  sourceType?: SourceType | null;

  @Field(() => [String], { nullable: true, description: 'Models carrying all of these tags.' })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: 'License id.' })
  license?: string | null;

  @Field(() => [LifecycleStage], { nullable: true, description: 'Any of these statuses.' })
  status?: LifecycleStage[] | null;

  @Field(() => BigIntScalar, { nullable: true })
  minParameters?: bigint | null;

  @Field(() => BigIntScalar, { nullable: true })
  maxParameters?: bigint | null;

  @Field(() => Modality, { nullable: true, description: 'Accepts or produces this modality.' })
  modality?: Modality | null;

  @Field(() => EndpointType, { nullable: true })
  endpoint?: EndpointType | null;

  @Field(() => String, { nullable: true })
  owner?: string | null;

  @Field(() => String, { nullable: true, description: 'Models of this project (case-insensitive; "default" includes models registered without one).' })
  project?: string | null;

  @Field(() => EvaluationScoreFilterInput, { nullable: true, description: 'A result on an evaluation within a score range (our own runs unless provenances say otherwise).' })
  evaluation?: EvaluationScoreFilterInput | null;

  @Field(() => BenchmarkMetricFilterInput, { nullable: true, description: 'A benchmark on a hardware profile with a serving metric within a range.' })
  benchmark?: BenchmarkMetricFilterInput | null;

  @Field(() => [ModelFilterInput], { nullable: true, description: `Every one of these, besides this filter's own fields (at most ${FILTER_CAPS.width}).` })
  and?: ModelFilterInput[] | null;

  @Field(() => [ModelFilterInput], { nullable: true, description: `At least one of these (at most ${FILTER_CAPS.width}).` })
  or?: ModelFilterInput[] | null;

  @Field(() => ModelFilterInput, {
    nullable: true,
    description: `Not this. Filters nest at most ${FILTER_CAPS.depth} levels and hold at most ${FILTER_CAPS.nodes} nodes and ${FILTER_CAPS.evidence} evaluation or benchmark conditions in all.`,
  })
  not?: ModelFilterInput | null;
}
