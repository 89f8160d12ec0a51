import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import { ValidationError } from '../../domain/common/domain-error';
import { approvalsNeeded, isPromotionTarget, type PolicyOverrides, PROMOTION_TARGETS } from '../../domain/governance/promotion-policy';
import type { ProjectView } from '../../services/project-access.service';
import type { GraphQLContext } from '../context';
import { callerOf } from './governance-access';
import { ConfigureProjectInput, Project } from './project.type';
import { projectSigningView } from '../signing/signature-view';

function projectView(view: ProjectView): Project {
  return {
    id: view.id,
    public: view.public,
    policy: {
      allowSkippedScan: view.policy.allowSkippedScan,
      evidenceProvenances: view.policy.evidenceProvenances,
      upstreamChanges: view.policy.upstreamChanges,
      targets: PROMOTION_TARGETS.map((target) => ({ target, gates: [...view.policy.gates[target]], requiredApprovals: approvalsNeeded(view.policy, target) })),
      requireSignature: view.policy.requireSignature,
    },
    signing: projectSigningView(view),
  };
}

function overridesOf(input: ConfigureProjectInput): PolicyOverrides {
  const gates: NonNullable<PolicyOverrides['gates']> = {};
  const requiredApprovals: NonNullable<PolicyOverrides['requiredApprovals']> = {};
  for (const entry of input.targets ?? []) {
    if (!isPromotionTarget(entry.target)) throw new ValidationError('targets.target', `${entry.target} has no promotion policy; use VERIFIED, EVALUATED or PUBLISHED`);
    if (entry.gates) gates[entry.target] = entry.gates;
    if (entry.requiredApprovals !== null && entry.requiredApprovals !== undefined) requiredApprovals[entry.target] = entry.requiredApprovals;
  }
  return {
    gates,
    requiredApprovals,
    ...(input.allowSkippedScan === null || input.allowSkippedScan === undefined ? {} : { allowSkippedScan: input.allowSkippedScan }),
    ...(input.evidenceProvenances ? { evidenceProvenances: input.evidenceProvenances } : {}),
    ...(input.upstreamChanges ? { upstreamChanges: input.upstreamChanges } : {}),
    ...(input.requireSignature === null || input.requireSignature === undefined ? {} : { requireSignature: input.requireSignature }),
  };
}

@Resolver(() => Project)
export class ProjectResolver {
  @Authorized(Role.VIEWER)
  @Query(() => Project, { description: 'A project the caller may read, with its visibility and promotion policy (defaults where unset).' })
  async project(@Ctx() ctx: GraphQLContext, @Arg('id', () => String) id: string): Promise<Project> {
    return projectView(await ctx.services.access.project(callerOf(ctx), id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Project, {
    description: "Sets a project's visibility, promotion policy and trusted signers (admins of that project; audited). Requests already open keep the policy they were opened under.",
  })
  async configureProject(@Ctx() ctx: GraphQLContext, @Arg('input', () => ConfigureProjectInput) input: ConfigureProjectInput): Promise<Project> {
    const view = await ctx.services.access.configure(callerOf(ctx), {
      id: input.id,
      public: input.public,
      policy: overridesOf(input),
      trustedSigningKeys: input.trustedSigningKeys,
      trustedSigningCertificates: input.trustedSigningCertificates,
    });
    return projectView(view);
  }
}
