import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import type { DeploymentRecord } from '../../domain/deployments/deployment';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { capped } from '../list-caps';
import { Model } from '../model/model.type';
import { Version } from '../version/version.type';
import { Deployment, RecordDeploymentInput } from './deployment.type';

/**
 * `@Authorized(Role.DEPLOYER)` lets editors and deployer tokens reach the mutations; the service checks the role
 * in the version's project inside its transaction (NOT_FOUND where the caller cannot read it).
 */
@Resolver(() => Deployment)
export class DeploymentResolver {
  @Authorized(Role.DEPLOYER)
  @Mutation(() => Deployment, {
    description:
      "Records that a VERIFIED, EVALUATED or PUBLISHED version runs in an environment at an endpoint (an editor of the model's project or a " +
      '`deployer` token for it; audited, sent as `deployment.recorded`). Recording the same version, environment and endpoint again answers ' +
      'the active record. A deployed version is not archived by hand without force and a reason.',
  })
  recordDeployment(@Ctx() ctx: GraphQLContext, @Arg('input', () => RecordDeploymentInput) input: RecordDeploymentInput): Promise<DeploymentRecord> {
    return ctx.services.deployments.record(callerOf(ctx), input);
  }

  @Authorized(Role.DEPLOYER)
  @Mutation(() => Deployment, { description: 'Ends a deployment (same roles as recordDeployment; audited, sent as `deployment.ended`). An ended one is a CONFLICT.' })
  endDeployment(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('reason', () => String, { nullable: true }) reason: string | null): Promise<DeploymentRecord> {
    return ctx.services.deployments.end(callerOf(ctx), id, reason);
  }

  @FieldResolver(() => Version, { nullable: true })
  version(@Root() deployment: DeploymentRecord, @Ctx() ctx: GraphQLContext): Promise<VersionRecord | null> {
    return ctx.loaders.versionById.load(deployment.versionId);
  }
}

@Resolver(() => Version)
export class VersionDeploymentsResolver {
  @FieldResolver(() => [Deployment], { description: 'Where this version is deployed now and since when, oldest first.' })
  async deployments(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true }) first: number | null): Promise<DeploymentRecord[]> {
    return capped(await ctx.loaders.deploymentsByVersion.load(version.id), first, ctx.limits.nestedListLimit);
  }
}

@Resolver(() => Model)
export class ModelDeploymentsResolver {
  @FieldResolver(() => [Deployment], { description: 'Where versions of this model are deployed now and since when, oldest first (each names its version).' })
  async deployments(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true }) first: number | null): Promise<DeploymentRecord[]> {
    return capped(await ctx.loaders.deploymentsByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }
}
