import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Provenance } from '../benchmark/benchmark.type';
import { LifecycleStage, ScanStatus } from '../enums';
import { PageInfo } from '../model/model-connection.type';
import { Gate, LicenseOutcome, PromotionState } from './governance.enums';
import { LicenseReason, LicenseUsage } from './license.type';

@ObjectType()
export class GateResult {
  @Field(() => Gate) gate!: Gate;
  @Field(() => Boolean) passed!: boolean;
  @Field(() => String) detail!: string;
}

@ObjectType({ description: 'What the gates saw at one moment, and their verdicts.' })
export class PromotionEvidence {
  @Field(() => Date) at!: Date;
  @Field(() => [GateResult]) gates!: GateResult[];
  @Field(() => Boolean) filesComplete!: boolean;
  @Field(() => Int) fileCount!: number;
  @Field(() => ScanStatus, { nullable: true, description: 'The latest scan, if any.' }) scanStatus!: ScanStatus | null;
  @Field(() => Int, { description: 'Evaluations that count as evidence: of an accepted provenance, not recorded by the requester.' }) evaluations!: number;
  @Field(() => Int, { description: 'Benchmarks that count as evidence, as evaluations.' }) benchmarks!: number;
  @Field(() => Int, { description: 'Results of an accepted provenance the requester recorded: never evidence for their own request.' }) selfRecorded!: number;
  @Field(() => LicenseUsage) usage!: LicenseUsage;
  @Field(() => LicenseOutcome) licenseOutcome!: LicenseOutcome;
  @Field(() => [LicenseReason]) licenseReasons!: LicenseReason[];
  @Field(() => Boolean) licenseAcknowledged!: boolean;
  @Field(() => [String]) approvers!: string[];
}

@ObjectType({ description: "The policy a request is held to, frozen when it opened: the project's later changes apply to later requests." })
export class RequestPolicy {
  @Field(() => [Gate]) gates!: readonly Gate[];
  @Field(() => Int, { description: 'Approvals needed from approvers other than the requester (0 without the approvals gate).' }) requiredApprovals!: number;
  @Field(() => Boolean) allowSkippedScan!: boolean;
  @Field(() => [Provenance], { description: 'Provenances of evaluations and benchmarks that count for the evidence gate.' }) evidenceProvenances!: readonly Provenance[];
}

@ObjectType()
export class PromotionApproval {
  @Field(() => String) approver!: string;
  @Field(() => String, { nullable: true }) comment!: string | null;
  @Field(() => Date) approvedAt!: Date;
}

@ObjectType({ description: 'A request to promote a version, with its evidence and decisions.' })
export class PromotionRequest {
  @Field(() => ID) id!: string;
  @Field(() => ID) modelId!: string;
  @Field(() => ID) versionId!: string;
  @Field(() => String, { description: 'The project the request was opened in (moving the model withdraws its open requests).' }) project!: string;
  @Field(() => LifecycleStage) target!: LifecycleStage;
  @Field(() => PromotionState) state!: PromotionState;
  @Field(() => String) requestedBy!: string;
  @Field(() => String) justification!: string;
  @Field(() => Int, { description: 'Approvals the policy asked for when the request was made.' }) requiredApprovals!: number;
  @Field(() => RequestPolicy) policy!: RequestPolicy;
  @Field(() => String, { nullable: true }) decidedBy!: string | null;
  @Field(() => String, { nullable: true }) decisionReason!: string | null;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType()
export class PromotionRequestEdge {
  @Field(() => String) cursor!: string;
  @Field(() => PromotionRequest) node!: PromotionRequest;
}

@ObjectType({ description: 'Promotion requests, oldest first; pass `pageInfo.endCursor` as `after` for the next page.' })
export class PromotionRequestConnection {
  @Field(() => [PromotionRequestEdge]) edges!: PromotionRequestEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
