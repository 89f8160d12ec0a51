import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A named, movable pointer of a model to one of its versions (`default` is the default version).' })
export class ModelAlias {
  @Field(() => String) name!: string;
  @Field(() => ID) versionId!: string;
  @Field(() => Boolean, { description: 'Moving it needs the approver role (PROTECTED_ALIASES).' }) protected!: boolean;
  @Field(() => String, { nullable: true }) updatedBy!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) updatedAt!: Date | null;
}

@ObjectType({ description: 'One move of an alias: set, moved or removed.' })
export class AliasMove {
  @Field(() => ID) id!: string;
  @Field(() => String) alias!: string;
  @Field(() => ID, { nullable: true, description: 'Null when the alias was new.' }) fromVersionId!: string | null;
  @Field(() => ID, { nullable: true, description: 'Null when the alias was removed.' }) toVersionId!: string | null;
  @Field(() => String) actor!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => GraphQLISODateTime) occurredAt!: Date;
}
