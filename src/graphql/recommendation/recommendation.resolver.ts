import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { LicenseUsage } from '../../domain/governance/license-check';
import type { RecommendationAnswer } from '../../services/recommendation.service';
import type { GraphQLContext } from '../context';
import { callerOf, usageOf } from '../governance/governance-access';
import { Version } from '../version/version.type';
import { RecommendInput } from './recommendation.input';
import { Recommendation, RecommendationList, UnmeasuredVersion } from './recommendation.type';

function toList(answer: RecommendationAnswer, usage: LicenseUsage): RecommendationList {
  return {
    recommendations: answer.recommendations.map((r) => ({
      rank: r.rank,
      versionId: r.candidate.versionId,
      label: r.candidate.label,
      costPerMillionOutputTokensUsd: r.costPerMillionOutputTokensUsd,
      throughputTokensPerSecond: r.throughputTokensPerSecond,
      quality: r.quality,
      memoryEstimateGb: r.memoryEstimateGb,
      figures: r.figures,
      licenseCheck: { ...r.candidate.license, usage },
      explanation: r.explanation,
    })),
    moreQualifying: answer.moreQualifying,
    unmeasured: answer.unmeasured.map((u) => ({ versionId: u.candidate.versionId, label: u.candidate.label, memoryEstimateGb: u.memoryEstimateGb, explanation: u.explanation })),
    exclusions: answer.exclusions.map((e) => ({
      reason: e.reason,
      count: e.count,
      message: e.message,
      closest: e.closest ? { versionId: e.closest.candidate.versionId, label: e.closest.candidate.label, measured: e.closest.miss.measured, target: e.closest.miss.target } : null,
    })),
    candidates: answer.candidates,
    truncated: answer.truncated,
    hardwareProfile: answer.hardwareLabel,
  };
}

@Resolver()
export class RecommendationResolver {
  @Authorized(Role.VIEWER)
  @Query(() => RecommendationList, {
    description:
      'The versions the caller may read (in `stages`, default PUBLISHED) that fit the hardware, pass the licence check for the use, meet the SLO on a benchmark of that hardware and the quality floors, ranked by cost per million output tokens (with a price) or throughput; with why the others were left out, and the unmeasured ones apart.',
  })
  async recommendModels(@Ctx() ctx: GraphQLContext, @Arg('input', () => RecommendInput) input: RecommendInput): Promise<RecommendationList> {
    const usage = usageOf(input.licenseUse);
    const answer = await ctx.services.recommendations.recommend(callerOf(ctx), { ...input, licenseUse: usage });
    return toList(answer, usage);
  }
}

@Resolver(() => Recommendation)
export class RecommendationVersionResolver {
  @FieldResolver(() => Version, { nullable: true, description: 'The version recommended (null only if it was deleted since).' })
  version(@Root() r: Recommendation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.versionById.load(r.versionId);
  }
}

@Resolver(() => UnmeasuredVersion)
export class UnmeasuredVersionResolver {
  @FieldResolver(() => Version, { nullable: true })
  version(@Root() u: UnmeasuredVersion, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.versionById.load(u.versionId);
  }
}
