import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import type { EvidenceSnapshot, PromotionApprovalRecord, PromotionRequestRecord } from '../../domain/governance/promotion-request';
import type { GraphQLContext } from '../context';
import { LifecycleStage } from '../enums';
import { Model } from '../model/model.type';
import { Version } from '../version/version.type';
import { callerOf, usageOf } from './governance-access';
import { PromotionState } from './governance.enums';
import { LicenseUsageInput } from './license.type';
import { PromotionApproval, PromotionEvidence, PromotionRequest, PromotionRequestConnection } from './promotion.type';

function evidenceView(snapshot: EvidenceSnapshot | null): PromotionEvidence | null {
  if (!snapshot) return null;
  const { evidence } = snapshot;
  return {
    at: new Date(snapshot.at),
    gates: snapshot.gates,
    filesComplete: evidence.filesComplete,
    fileCount: evidence.fileCount,
    scanStatus: evidence.scan?.status ?? null,
    evaluations: evidence.evaluations,
    benchmarks: evidence.benchmarks,
    // Snapshots taken before requesters' own records were told apart have none.
    selfRecorded: (evidence as { selfRecorded?: number }).selfRecorded ?? 0,
    usage: evidence.usage,
    licenseOutcome: evidence.license.outcome,
    licenseReasons: evidence.license.reasons,
    licenseAcknowledged: evidence.licenseAcknowledged,
    approvers: [...evidence.approvers],
  };
}

/**
 * `@Authorized(role)` on a field is the least role it needs in some project (coarse); the services check the role in
 * the project the object's model is in, inside their transaction (NOT_FOUND where the caller cannot read it).
 */
@Resolver(() => PromotionRequest)
export class PromotionResolver {
  @Authorized(Role.EDITOR)
  @Mutation(() => PromotionRequest, {
    description:
      "Asks to promote a version (to EVALUATED or PUBLISHED); needs the editor role in the model's project. The project's policy is frozen " +
      'with the request; its gates are checked now (POLICY_VIOLATION names the one that failed); a target that needs no approvals is applied ' +
      "at once, else the request waits in the approvers' queue.",
  })
  requestPromotion(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('target', () => LifecycleStage) target: LifecycleStage,
    @Arg('justification', () => String) justification: string,
    @Arg('usage', () => LicenseUsageInput, { nullable: true, description: 'The intended use the license is checked for.' }) usage: LicenseUsageInput | null,
  ): Promise<PromotionRequestRecord> {
    return ctx.services.promotions.request(callerOf(ctx), { versionId, target, justification, usage: usageOf(usage) });
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => PromotionRequest, {
    description: "Signs off as an approver of the model's project other than the requester; the last approval the request's policy needs re-reads the evidence, re-checks every gate and applies the move.",
  })
  approvePromotion(@Ctx() ctx: GraphQLContext, @Arg('requestId', () => ID) requestId: string, @Arg('comment', () => String, { nullable: true }) comment: string | null) {
    return ctx.services.promotions.approve(callerOf(ctx), requestId, comment);
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => PromotionRequest, { description: "Ends an open request; needs the approver role in the model's project." })
  rejectPromotion(@Ctx() ctx: GraphQLContext, @Arg('requestId', () => ID) requestId: string, @Arg('reason', () => String) reason: string) {
    return ctx.services.promotions.reject(callerOf(ctx), requestId, reason);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => PromotionRequest, { description: "The requester (an editor of the model's project) or an admin of that project takes an open request back." })
  withdrawPromotion(@Ctx() ctx: GraphQLContext, @Arg('requestId', () => ID) requestId: string, @Arg('reason', () => String, { nullable: true }) reason: string | null) {
    return ctx.services.promotions.withdraw(callerOf(ctx), requestId, reason);
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => Version, {
    description:
      "Retires a version (approver role in the model's project): it stays readable with its history, is never promoted again nor made the default; open requests are withdrawn. " +
      'A version on record as deployed is a CONFLICT naming its deployments, unless `force` (the reason and the deployments are audited).',
  })
  archiveVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('reason', () => String) reason: string,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'Archive it although it is deployed (needs a reason).' }) force: boolean,
  ): Promise<VersionRecord> {
    return ctx.services.versionLifecycle.archive(callerOf(ctx), versionId, reason, { force });
  }

  @Authorized(Role.VIEWER)
  @Query(() => PromotionRequestConnection, { description: "The approvers' queue: requests of models in the projects the caller may read." })
  async promotionRequests(
    @Ctx() ctx: GraphQLContext,
    @Arg('state', () => PromotionState, { nullable: true }) state: PromotionState | null,
    @Arg('project', () => String, { nullable: true, description: 'Requests of models now in this project.' }) project: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<PromotionRequestConnection> {
    const page = await ctx.services.promotionQueries.list(callerOf(ctx), state, project, pageSize(first, ctx.limits.maxPageSize), after);
    return { edges: page.nodes as PromotionRequestConnection['edges'], pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized(Role.VIEWER)
  @Query(() => PromotionRequest, { description: 'One request; of a model the caller cannot read it is NOT_FOUND, like an unknown id.' })
  promotionRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<PromotionRequestRecord> {
    return ctx.services.promotionQueries.get(callerOf(ctx), id);
  }

  @FieldResolver(() => Model)
  async model(@Root() request: PromotionRequestRecord, @Ctx() ctx: GraphQLContext): Promise<ModelRecord | null> {
    return ctx.loaders.modelById.load(request.modelId);
  }

  @FieldResolver(() => Version)
  version(@Root() request: PromotionRequestRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.versionById.load(request.versionId);
  }

  @FieldResolver(() => PromotionEvidence, { description: 'What the gates saw when the request was made.' })
  evidence(@Root() request: PromotionRequestRecord): PromotionEvidence | null {
    return evidenceView(request.evidence);
  }

  @FieldResolver(() => PromotionEvidence, { nullable: true, description: 'What the gates saw when the request was applied.' })
  decisionEvidence(@Root() request: PromotionRequestRecord): PromotionEvidence | null {
    return evidenceView(request.decisionEvidence);
  }

  @FieldResolver(() => [PromotionApproval])
  approvals(@Root() request: PromotionRequestRecord, @Ctx() ctx: GraphQLContext): Promise<PromotionApprovalRecord[]> {
    return ctx.loaders.approvalsByRequest.load(request.id);
  }
}
