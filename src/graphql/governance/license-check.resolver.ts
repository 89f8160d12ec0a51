import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import type { PromotionRequestRecord } from '../../domain/governance/promotion-request';
import type { AcknowledgmentRecord, LicenseCheckResult } from '../../services/license-check.service';
import type { GraphQLContext } from '../context';
import { capped } from '../list-caps';
import { Model } from '../model/model.type';
import { Version } from '../version/version.type';
import { callerOf, usageOf } from './governance-access';
import { LicenseAcknowledgment, LicenseCheck, LicenseUsageInput } from './license.type';
import { PromotionRequest } from './promotion.type';

const USAGE = { nullable: true, description: 'The intended use; omitted fields take their defaults.' } as const;

/** `@Authorized(role)`: the least role in some project (coarse); the service checks the role in the version's project. */
@Resolver()
export class LicenseCheckResolver {
  @Authorized(Role.VIEWER)
  @Query(() => LicenseCheck, { description: "Checks a version's license for an intended use: ALLOWED, WARN (acknowledge before publishing) or BLOCKED, with reasons." })
  checkLicense(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('usage', () => LicenseUsageInput, USAGE) usage: LicenseUsageInput | null,
  ): Promise<LicenseCheckResult> {
    return ctx.services.licenseChecks.check(callerOf(ctx), modelId, versionId, usageOf(usage));
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => LicenseAcknowledgment, { description: "Records that the caller (an editor of the model's project) accepts the current license terms (by their sha256) for this usage of the version." })
  acknowledgeLicense(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('usage', () => LicenseUsageInput, USAGE) usage: LicenseUsageInput | null,
  ): Promise<AcknowledgmentRecord> {
    return ctx.services.licenseChecks.acknowledge(callerOf(ctx), versionId, usageOf(usage));
  }
}

@Resolver(() => Version)
export class VersionGovernanceResolver {
  @FieldResolver(() => LicenseCheck, { description: 'The license check for an intended use (a deployment subgraph joins it through the gateway).' })
  licenseCheck(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('usage', () => LicenseUsageInput, USAGE) usage: LicenseUsageInput | null): Promise<LicenseCheckResult> {
    return ctx.services.licenseChecks.check(callerOf(ctx), version.modelId, version.id, usageOf(usage));
  }

  @FieldResolver(() => [PromotionRequest], { description: 'Promotion requests of this version, oldest first.' })
  async promotionRequests(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true }) first: number | null): Promise<PromotionRequestRecord[]> {
    return capped(await ctx.loaders.promotionsByVersion.load(version.id), first, ctx.limits.nestedListLimit);
  }
}

@Resolver(() => Model)
export class ModelGovernanceResolver {
  @FieldResolver(() => [PromotionRequest], { description: 'Promotion requests of every version, oldest first.' })
  async promotionRequests(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true }) first: number | null): Promise<PromotionRequestRecord[]> {
    return capped(await ctx.loaders.promotionsByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }
}
