import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Provenance } from '../benchmark/benchmark.type';
import { LifecycleStage } from '../enums';
import { Gate, UpstreamChanges } from './governance.enums';
import { ProjectSigning } from '../signing/signature.type';

@ObjectType()
export class TargetGates {
  @Field(() => LifecycleStage) target!: LifecycleStage;
  @Field(() => [Gate]) gates!: Gate[];
  @Field(() => Int, { description: 'Approvals needed (0 when the approvals gate is off for this target).' }) requiredApprovals!: number;
}

@ObjectType({ description: 'The promotion policy in force: the defaults overlaid with the project settings.' })
export class ProjectPolicy {
  @Field(() => [TargetGates]) targets!: TargetGates[];
  @Field(() => Boolean, { description: 'A SKIPPED scan (no ClamAV) counts as passed.' }) allowSkippedScan!: boolean;
  @Field(() => [Provenance], { description: 'Provenances of evaluations and benchmarks that count for the evidence gate (default: MEASURED only).' })
  evidenceProvenances!: readonly Provenance[];
  @Field(() => UpstreamChanges, { description: 'What a new upstream commit of a Hugging Face model becomes: a DRAFT proposal (default) or an import.' })
  upstreamChanges!: UpstreamChanges;
  @Field(() => Boolean, { description: 'An import is VERIFIED only when its files carry a valid upstream signature (model.sig), and every promotion target holds the SIGNATURE_VALID gate, so versions verified before this was turned on are not promoted unsigned.' }) requireSignature!: boolean;
}

@ObjectType()
export class Project {
  @Field(() => String) id!: string;
  @Field(() => Boolean, { description: 'Readable by every authenticated caller; writes still need a role in the project.' }) public!: boolean;
  @Field(() => ProjectPolicy) policy!: ProjectPolicy;
  @Field(() => ProjectSigning, { description: 'Keys and CA certificates upstream signatures are checked against.' }) signing!: ProjectSigning;
}

@InputType()
export class TargetPolicyInput {
  @Field(() => LifecycleStage, { description: 'VERIFIED, EVALUATED or PUBLISHED.' }) target!: LifecycleStage;
  @Field(() => [Gate], { nullable: true, description: 'Replaces the gates of this target.' }) gates?: Gate[] | null;
  @Field(() => Int, { nullable: true }) requiredApprovals?: number | null;
}

@InputType({ description: 'Only the given fields change; open requests keep the policy they were opened under.' })
export class ConfigureProjectInput {
  @Field(() => String) id!: string;
  @Field(() => Boolean, { nullable: true }) public?: boolean | null;
  @Field(() => Boolean, { nullable: true }) allowSkippedScan?: boolean | null;
  @Field(() => [Provenance], { nullable: true, description: 'Replaces the provenances that count for the evidence gate.' }) evidenceProvenances?: Provenance[] | null;
  @Field(() => [TargetPolicyInput], { nullable: true }) targets?: TargetPolicyInput[] | null;
  @Field(() => UpstreamChanges, { nullable: true, description: 'What a new upstream commit of a Hugging Face model in this project becomes.' }) upstreamChanges?: UpstreamChanges | null;
  @Field(() => Boolean, { nullable: true, description: 'Require a valid upstream signature (model.sig) before an import is VERIFIED and, through the SIGNATURE_VALID gate on every target, before any promotion.' }) requireSignature?: boolean | null;
  @Field(() => [String], { nullable: true, description: 'Replaces the trusted EC public keys (PEM, P-256/384/521).' }) trustedSigningKeys?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Replaces the trusted CA certificates (PEM; a chain file may hold several).' }) trustedSigningCertificates?: string[] | null;
}
