import { Field, ID, InputType } from 'type-graphql';

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

  @Field(() => Boolean, { nullable: true, description: "Make it the model's default; a model's first version always is." })
  makeDefault?: boolean | null;
}
