import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { MetadataMismatch, VerifiedMetadata } from '../operation/operation.type';
import { LifecycleStage } from '../enums';

@ObjectType({ description: 'A semver-numbered release of a model.' })
export class Version {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Semantic version, unique per model.' })
  version!: string;

  @Field(() => String, { nullable: true })
  storagePath!: string | null;

  @Field(() => String, { nullable: true })
  changelog!: string | null;

  @Field(() => LifecycleStage, { description: "The version's lifecycle stage; see Version.transitions for its history." })
  status!: LifecycleStage;

  @Field(() => String, { nullable: true, description: 'Why the version NEEDS_ATTENTION (import error, broken files, mismatches).' })
  statusReason!: string | null;

  @Field(() => Boolean, { description: 'Every file of the manifest is stored (written whole, with the manifest, in one step).' })
  filesComplete!: boolean;

  @Field(() => String, { nullable: true, description: 'The immutable source revision the files were read at (a Hugging Face commit sha).' })
  sourceRevision!: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Where the files were imported from.' })
  source!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'What the user declared at import time.' })
  declaredMetadata!: Record<string, unknown> | null;

  @Field(() => VerifiedMetadata, { nullable: true })
  verifiedMetadata!: VerifiedMetadata | null;

  @Field(() => [MetadataMismatch])
  metadataMismatches!: MetadataMismatch[];

  @Field(() => String)
  createdBy!: string;

  @Field(() => Date)
  createdAt!: Date;
}
