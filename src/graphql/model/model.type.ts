import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { EndpointType, Modality, LifecycleStage, SourceType } from '../enums';
import { BigIntScalar } from '../scalars/bigint.scalar';

@ObjectType({ description: "Terms of use that apply to this model; inherited from its license unless set." })
export class LicenseRestrictions {
  @Field(() => Boolean, { nullable: true })
  commercialUse!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  derivatives!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  attributionRequired!: boolean | null;

  @Field(() => BigIntScalar, { nullable: true, description: 'Monthly active users above which a separate license is needed.' })
  monthlyActiveUsersLimit!: bigint | null;

  @Field(() => String, { nullable: true })
  notes!: string | null;
}

@ObjectType({ description: 'What it takes to serve the model.' })
export class HardwareRequirements {
  @Field(() => Float, { nullable: true })
  minGpuMemoryGb!: number | null;

  @Field(() => String, { nullable: true })
  recommendedGpu!: string | null;

  @Field(() => Int, { nullable: true })
  recommendedGpuCount!: number | null;
}

@ObjectType()
export class ModelLinks {
  @Field(() => String, { nullable: true })
  website!: string | null;

  @Field(() => String, { nullable: true })
  github!: string | null;

  @Field(() => String, { nullable: true })
  huggingFace!: string | null;

  @Field(() => String, { nullable: true })
  paper!: string | null;
}

@ObjectType({ description: 'One recorded lifecycle move of a version (or the registration of a model).' })
export class LifecycleTransition {
  @Field(() => ID, { nullable: true, description: 'The version that moved; null for the registration of the model.' })
  versionId!: string | null;

  @Field(() => LifecycleStage, { nullable: true, description: 'Null for the registration entry.' })
  fromStatus!: LifecycleStage | null;

  @Field(() => LifecycleStage)
  toStatus!: LifecycleStage;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String)
  actor!: string;

  @Field(() => Date)
  occurredAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A catalog entry: one model with its versions, terms, scans and measurements.' })
export class Model {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Unique slug.' })
  name!: string;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => SourceType)
  sourceType!: SourceType;

  @Field(() => String, { nullable: true, description: 'Repo id, URL or path the model comes from.' })
  sourceUri!: string | null;

  @Field(() => String, { nullable: true })
  architecture!: string | null;

  @Field(() => BigIntScalar, { nullable: true })
  parameterCount!: bigint | null;

  @Field(() => Int, { nullable: true })
  contextLength!: number | null;

  @Field(() => [Modality])
  inputModalities!: Modality[];

  @Field(() => [Modality])
  outputModalities!: Modality[];

  @Field(() => [EndpointType])
  endpoints!: EndpointType[];

  @Field(() => LicenseRestrictions, { nullable: true })
  licenseRestrictions!: LicenseRestrictions | null;

  @Field(() => HardwareRequirements, { nullable: true })
  requirements!: HardwareRequirements | null;

  @Field(() => [String])
  tags!: string[];

  @Field(() => [String])
  tasks!: string[];

  @Field(() => String, { nullable: true })
  owner!: string | null;

  @Field(() => String, { nullable: true })
  project!: string | null;

  @Field(() => ModelLinks)
  links!: ModelLinks;

  @Field(() => LifecycleStage, {
    description: 'A summary of its versions: PUBLISHED while any version is, else the stage of its newest version not archived; DRAFT without versions.',
  })
  status!: LifecycleStage;

  @Field(() => String)
  createdBy!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}
