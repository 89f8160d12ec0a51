import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { ScanResultRecord } from '../../domain/catalog/catalog-records';
import type { OperationRecord } from '../../domain/onboarding/operation';
import { requireRole } from '../auth';
import type { GraphQLContext } from '../context';
import { Operation } from '../operation/operation.type';
import { ScanFileResult, ScanResult } from './scan-result.type';

@Resolver(() => ScanResult)
export class ScanResolver {
  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, {
    description:
      "Rescans a version's stored files (a workflow; follow it with operation/operationEvents). A scan already running for the version is returned instead of a second one.",
  })
  scanVersion(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string): Promise<OperationRecord> {
    return ctx.services.scanRequests.scanVersion(versionId, requireRole(ctx, Role.EDITOR).subject);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => [Operation], { description: 'Rescans every version of the model that has stored files (not archived, not being imported).' })
  scanModel(@Ctx() ctx: GraphQLContext, @Arg('modelId', () => ID) modelId: string): Promise<OperationRecord[]> {
    return ctx.services.scanRequests.scanModel(modelId, requireRole(ctx, Role.EDITOR).subject);
  }

  @FieldResolver(() => [ScanFileResult], { description: 'Per-file results, in listing order.' })
  files(@Root() scan: ScanResultRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.filesByScan.load(scan.id);
  }
}
