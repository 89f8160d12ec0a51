import { Field, ID, ObjectType } from 'type-graphql';
import { VersionStatus } from '../enums';

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

  @Field(() => VersionStatus)
  status!: VersionStatus;

  @Field(() => String)
  createdBy!: string;

  @Field(() => Date)
  createdAt!: Date;
}
