import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import { NotFoundError } from '../../domain/common/domain-error';
import { canRead } from '../../domain/governance/access';
import type { EvidenceSnapshot, PromotionApprovalRecord, PromotionRequestRecord } from '../../domain/governance/promotion-request';
import type { GraphQLContext } from '../context';
import { LifecycleStage } from '../enums';
import { Model } from '../model/model.type';
import { Version } from '../version/version.type';
import { actorOf, callerOf, scopeOf, usageOf } from './governance-access';
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
    usage: evidence.usage,
    licenseOutcome: evidence.license.outcome,
    licenseReasons: evidence.license.reasons,
    licenseAcknowledged: evidence.licenseAcknowledged,
    approvers: [...evidence.approvers],
  };
}

@Resolver(() => PromotionRequest)
export class PromotionResolver {
  @Authorized(Role.EDITOR)
  @Mutation(() => PromotionRequest, {
    description:
      "Asks to promote a version (to EVALUATED or PUBLISHED). The project's gates are checked now (POLICY_VIOLATION names the one that " +
      'failed); a target that needs no approvals is applied at once, else the request waits in the approvers\' queue.',
  })
  requestPromotion(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('target', () => LifecycleStage) target: LifecycleStage,
    @Arg('justification', () => String) justification: string,
    @Arg('usage', () => LicenseUsageInput, { nullable: true, description: 'The intended use the license is checked for.' }) usage: LicenseUsageInput | null,
  ): Promise<PromotionRequestRecord> {
    return ctx.services.promotions.request(callerOf(ctx, Role.EDITOR), { versionId, target, justification, usage: usageOf(usage) }, actorOf(ctx));
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => PromotionRequest, { description: 'Signs off as an approver other than the requester; the last approval needed re-checks every gate and applies the move.' })
  approvePromotion(@Ctx() ctx: GraphQLContext, @Arg('requestId', () => ID) requestId: string, @Arg('comment', () => String, { nullable: true }) comment: string | null) {
    return ctx.services.promotions.approve(callerOf(ctx, Role.APPROVER), requestId, comment, actorOf(ctx));
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => PromotionRequest)
  rejectPromotion(@Ctx() ctx: GraphQLContext, @Arg('requestId', () => ID) requestId: string, @Arg('reason', () => String) reason: string) {
    return ctx.services.promotions.reject(callerOf(ctx, Role.APPROVER), requestId, reason, actorOf(ctx));
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => PromotionRequest, { description: "The requester (or a project admin) takes an open request back." })
  withdrawPromotion(@Ctx() ctx: GraphQLContext, @Arg('requestId', () => ID) requestId: string, @Arg('reason', () => String, { nullable: true }) reason: string | null) {
    return ctx.services.promotions.withdraw(callerOf(ctx, Role.EDITOR), requestId, reason, actorOf(ctx));
  }

  @Authorized(Role.APPROVER)
  @Mutation(() => Version, { description: 'Retires a version: it stays readable with its history, is never promoted again nor made the default; open requests are withdrawn.' })
  archiveVersion(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string, @Arg('reason', () => String) reason: string): Promise<VersionRecord> {
    return ctx.services.versionLifecycle.archive(callerOf(ctx, Role.APPROVER), versionId, reason, actorOf(ctx));
  }

  @Authorized(Role.VIEWER)
  @Query(() => PromotionRequestConnection, { description: "The approvers' queue: requests of the projects the caller may read." })
  async promotionRequests(
    @Ctx() ctx: GraphQLContext,
    @Arg('state', () => PromotionState, { nullable: true }) state: PromotionState | null,
    @Arg('project', () => String, { nullable: true }) project: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<PromotionRequestConnection> {
    const page = await ctx.services.promotionQueries.list(scopeOf(ctx), state, project, pageSize(first, ctx.limits.maxPageSize), after);
    return { edges: page.nodes as PromotionRequestConnection['edges'], pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized(Role.VIEWER)
  @Query(() => PromotionRequest)
  async promotionRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<PromotionRequestRecord> {
    const request = await ctx.services.promotionQueries.get(id);
    if (!canRead(scopeOf(ctx), request.project, await ctx.services.access.publicProjects())) throw new NotFoundError('Promotion request', id);
    return request;
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
