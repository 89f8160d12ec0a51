import { Field, ID, ObjectType } from 'type-graphql';
import { BigIntScalar } from '../scalars/bigint.scalar';

@ObjectType({ description: 'A license from the catalog, with the terms that matter when shipping a model.' })
export class License {
  @Field(() => ID, { description: 'SPDX identifier where one exists.' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field(() => String, { description: 'PERMISSIVE, COPYLEFT, WEAK_COPYLEFT, NON_COMMERCIAL, COMMUNITY, RESEARCH, RESPONSIBLE_AI, PROPRIETARY, PUBLIC_DOMAIN.' })
  category!: string;

  @Field(() => Boolean)
  isSpdx!: boolean;

  @Field(() => Boolean)
  osiApproved!: boolean;

  @Field(() => Boolean)
  commercialUse!: boolean;

  @Field(() => Boolean)
  derivatives!: boolean;

  @Field(() => Boolean)
  attributionRequired!: boolean;

  @Field(() => BigIntScalar, { nullable: true })
  monthlyActiveUsersLimit!: bigint | null;

  @Field(() => String, { nullable: true })
  notes!: string | null;
}
