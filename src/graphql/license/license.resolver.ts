import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { LicenseRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import type { GraphQLContext } from '../context';
import { License } from './license.type';

@Resolver(() => License)
export class LicenseResolver {
  @Authorized(Role.VIEWER)
  @Query(() => [License], { description: 'The license catalog.' })
  licenses(@Ctx() ctx: GraphQLContext): Promise<LicenseRecord[]> {
    return ctx.services.licenses.list();
  }

  @Authorized(Role.VIEWER)
  @Query(() => License)
  license(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<LicenseRecord> {
    return ctx.services.licenses.get(id);
  }
}
