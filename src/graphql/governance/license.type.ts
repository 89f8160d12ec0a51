import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { BigIntScalar } from '../scalars/bigint.scalar';
import { LicenseOutcome, ReasonSeverity } from './governance.enums';

@InputType({ description: 'How a deployment means to use the model; omitted fields take the defaults shown.' })
export class LicenseUsageInput {
  @Field(() => Boolean, { nullable: true, description: 'Commercial use (default true).' })
  commercial?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Fine-tunes or other derivative models (default false).' })
  derivatives?: boolean | null;

  @Field(() => BigIntScalar, { nullable: true, description: 'Expected monthly active users (default 0).' })
  monthlyActiveUsers?: bigint | null;

  @Field(() => Boolean, { nullable: true, description: "Only through the licensor's hosted API, no self-hosted weights (default false)." })
  apiOnly?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Weights or derivatives handed to third parties (default false).' })
  distribution?: boolean | null;
}

@ObjectType()
export class LicenseUsage {
  @Field(() => Boolean) commercial!: boolean;
  @Field(() => Boolean) derivatives!: boolean;
  @Field(() => BigIntScalar) monthlyActiveUsers!: bigint;
  @Field(() => Boolean) apiOnly!: boolean;
  @Field(() => Boolean) distribution!: boolean;
}

@ObjectType()
export class LicenseReason {
  @Field(() => String, { description: 'research-only, non-commercial, no-derivatives, api-only, no-distribution, mau-limit, use-restrictions, attribution, …' })
  code!: string;

  @Field(() => ReasonSeverity)
  severity!: ReasonSeverity;

  @Field(() => String)
  message!: string;
}

@ObjectType({ description: "A license check of a model's version for one usage." })
export class LicenseCheck {
  @Field(() => LicenseOutcome, { description: 'WARN needs acknowledgeLicense before publishing; BLOCKED cannot be published for this usage.' })
  outcome!: LicenseOutcome;

  @Field(() => String, { nullable: true })
  licenseId!: string | null;

  @Field(() => [LicenseReason])
  reasons!: LicenseReason[];

  @Field(() => LicenseUsage)
  usage!: LicenseUsage;

  @Field(() => String, { nullable: true, description: 'sha256 of the license terms and the model restrictions an acknowledgment binds to.' })
  textHash!: string | null;

  @Field(() => Boolean, { description: 'The current text was acknowledged for this usage.' })
  acknowledged!: boolean;
}

@ObjectType()
export class LicenseAcknowledgment {
  @Field(() => ID) id!: string;
  @Field(() => ID) versionId!: string;
  @Field(() => String) licenseId!: string;
  @Field(() => String) textHash!: string;
  @Field(() => LicenseUsage) usage!: LicenseUsage;
  @Field(() => String) acknowledgedBy!: string;
  @Field(() => Date) acknowledgedAt!: Date;
}
