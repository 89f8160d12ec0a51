import { Field, ID, Int, ObjectType } from 'type-graphql';
import { FindingSeverity, ScanStatus } from '../enums';
import { BigIntScalar } from '../scalars/bigint.scalar';

@ObjectType()
export class ScanFinding {
  @Field(() => String, { description: 'File inside the version the finding is about.' })
  path!: string;

  @Field(() => String, { description: 'Signature or rule that matched.' })
  rule!: string;

  @Field(() => FindingSeverity)
  severity!: FindingSeverity;

  @Field(() => String, { nullable: true })
  detail!: string | null;
}

@ObjectType({ description: "One scanner's verdict on one version." })
export class ScanResult {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'clamav, pickle, safetensors, gguf, …' })
  scanner!: string;

  @Field(() => String, { nullable: true })
  scannerVersion!: string | null;

  @Field(() => ScanStatus)
  status!: ScanStatus;

  @Field(() => [ScanFinding])
  findings!: ScanFinding[];

  @Field(() => Int)
  filesScanned!: number;

  @Field(() => BigIntScalar)
  bytesScanned!: bigint;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date)
  completedAt!: Date;
}
