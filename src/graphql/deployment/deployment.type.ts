import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A version running in an environment at an endpoint, as a deployer (a CD pipeline or an editor) recorded it.' })
export class Deployment {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'Where: a short name such as prod or eu-west.staging.' }) environment!: string;
  @Field(() => String, { description: 'Where it answers: a URL or a service name (never fetched).' }) endpoint!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { description: 'The token subject that recorded it.' }) deployedBy!: string;
  @Field(() => Date, { description: 'Since when.' }) deployedAt!: Date;
  @Field(() => String, { nullable: true }) endedBy!: string | null;
  @Field(() => Date, { nullable: true, description: 'Null while it is deployed.' }) endedAt!: Date | null;
  @Field(() => String, { nullable: true }) endReason!: string | null;
}

@InputType()
export class RecordDeploymentInput {
  @Field(() => ID) versionId!: string;
  @Field(() => String, { description: 'A short name: letters, digits, ".", "_" or "-" (prod, eu-west.staging).' }) environment!: string;
  @Field(() => String, { description: 'Where it answers: a URL or a service name, no white space.' }) endpoint!: string;
  @Field(() => String, { nullable: true, description: 'A note (release, change ticket); audited.' }) description?: string | null;
}
