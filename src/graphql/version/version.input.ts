import { Field, ID, InputType, Int } from 'type-graphql';
import { BigIntScalar } from '../scalars/bigint.scalar';

@InputType()
export class CreateVersionInput {
  @Field(() => ID)
  modelId!: string;

  @Field(() => String, { description: 'Semantic version (major.minor.patch, optional -prerelease and +build).' })
  version!: string;

  @Field(() => String, { nullable: true, description: 'Where the artifacts live in the artifact store.' })
  storagePath?: string | null;

  @Field(() => String, { nullable: true })
  changelog?: string | null;

  @Field(() => ID, { nullable: true, description: 'The version this one derives from (lineage).' })
  parentVersionId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Make it the model's default once it is usable. A new version is a DRAFT and a default never is one, so the wish is recorded " +
      '(Model.pendingDefaultVersion) and applied by the system when the version is VERIFIED (aliasHistory and the audit log say so). ' +
      "Without it, a model that has no default gets its first version to be VERIFIED; setDefaultVersion meanwhile replaces the wish.",
  })
  makeDefault?: boolean | null;
}

@InputType({ description: 'What a version declares; an omitted field is kept, null clears it.' })
export class UpdateVersionInput {
  @Field(() => String, { nullable: true })
  architecture?: string | null;

  @Field(() => BigIntScalar, { nullable: true })
  parameterCount?: bigint | null;

  @Field(() => Int, { nullable: true })
  contextLength?: number | null;

  @Field(() => String, { nullable: true, description: 'License id from `licenses` (SPDX id where one exists).' })
  license?: string | null;
}
