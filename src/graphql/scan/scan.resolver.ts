import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { ScanResultRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import type { OperationRecord } from '../../domain/onboarding/operation';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { Operation } from '../operation/operation.type';
import { Version } from '../version/version.type';
import { ScanFileResult, ScanResult } from './scan-result.type';

/**
 * `@Authorized` says the least role a field needs in some project; the services check it in the version's project
 * (NOT_FOUND when the caller cannot read that project, FORBIDDEN when it can but lacks the role).
 */
@Resolver(() => ScanResult)
export class ScanResolver {
  // EDITOR in the version's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, {
    description:
      "Rescans a version's stored files (a workflow; follow it with operation/operationEvents). A scan already running for the version is returned instead of a second one. " +
      'A rescan that FAILED takes a VERIFIED, EVALUATED or PUBLISHED version out of service (NEEDS_ATTENTION, downloads refused with 451); see reinstateVersion.',
  })
  scanVersion(@Ctx() ctx: GraphQLContext, @Arg('versionId', () => ID) versionId: string): Promise<OperationRecord> {
    return ctx.services.scanRequests.scanVersion(callerOf(ctx), versionId);
  }

  // EDITOR in the model's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => [Operation], { description: 'Rescans every version of the model that has stored files (not archived, not being imported).' })
  scanModel(@Ctx() ctx: GraphQLContext, @Arg('modelId', () => ID) modelId: string): Promise<OperationRecord[]> {
    return ctx.services.scanRequests.scanModel(callerOf(ctx), modelId);
  }

  // APPROVER in the version's project, other than whoever asked for the clean rescan.
  @Authorized(Role.APPROVER)
  @Mutation(() => Version, {
    description:
      'Brings back a version a failed rescan took out of service, to the stage it held: its latest scan must be a later rescan that PASSED, ' +
      'and the approver must not be whoever asked for that rescan (four eyes).',
  })
  reinstateVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<VersionRecord> {
    return ctx.services.quarantines.reinstate(callerOf(ctx), versionId, reason ?? null);
  }

  @FieldResolver(() => [ScanFileResult], { description: 'Per-file results, in listing order.' })
  files(@Root() scan: ScanResultRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.filesByScan.load(scan.id);
  }
}
