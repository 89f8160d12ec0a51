import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { VersionOrder } from '../enums';
import { ModelEvidenceOrderInput } from '../model/evidence-filter.input';
import { VersionConnection } from './version-connection.type';
import { VersionFilterInput } from './version-filter.input';
import type { CappedCount } from '../../services/model-page-sql';

@Resolver(() => VersionConnection)
export class VersionListResolver {
  // @Authorized says the least role a field needs in some project; the service narrows to the readable ones in SQL.
  @Authorized(Role.VIEWER)
  @Query(() => VersionConnection, { description: 'Versions matching the filter, one page at a time (of the projects the caller reads, public ones included).' })
  async versions(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => VersionFilterInput, { nullable: true }) filter: VersionFilterInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => VersionOrder, { nullable: true, defaultValue: VersionOrder.CREATED_AT_DESC }) orderBy: VersionOrder | null,
    @Arg('orderByEvidence', () => ModelEvidenceOrderInput, { nullable: true, description: "Orders by the version's best measured result instead of orderBy (only versions with one are listed)." })
    orderByEvidence: ModelEvidenceOrderInput | null,
  ): Promise<VersionConnection> {
    const size = pageSize(first, ctx.limits.maxPageSize);
    // An explicit null takes the default too.
    const page = await ctx.services.versionQueries.list(callerOf(ctx), filter ?? {}, size, after, orderBy ?? VersionOrder.CREATED_AT_DESC, orderByEvidence);
    for (const { node } of page.nodes) ctx.loaders.versionById.prime(node.id, node);
    return {
      edges: page.nodes as VersionConnection['edges'],
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      filter: filter ?? {},
      orderByEvidence,
    };
  }

  @FieldResolver(() => Int, { description: 'Versions matching the filter, across all pages: exact up to 1,000, above that an estimate (see totalCountExact).' })
  async totalCount(@Root() connection: VersionConnection, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await counted(connection, ctx)).count;
  }

  @FieldResolver(() => Boolean, { description: "Whether totalCount is exact: false when over 1,000 versions match and it is the database's estimate." })
  async totalCountExact(@Root() connection: VersionConnection, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return (await counted(connection, ctx)).exact;
  }
}

function counted(connection: VersionConnection, ctx: GraphQLContext): Promise<CappedCount> {
  connection.counted ??= ctx.services.versionQueries.count(callerOf(ctx), connection.filter, connection.orderByEvidence);
  return connection.counted;
}
