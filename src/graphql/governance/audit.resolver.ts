import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import type { AuditRecord } from '../../domain/governance/audit-entry';
import { toJsonLines } from '../../services/audit-query.service';
import type { GraphQLContext } from '../context';
import { ModelEvent } from '../operation/operation.type';
import type { ModelEventPayload } from '../pubsub';
import { callerOf } from './governance-access';
import { AuditConnection, AuditEntry, AuditExport } from './audit.type';

/** Bigger export chunks than list pages: an export is read by tools, not rendered. */
const EXPORT_CHUNK = 1000;

/** The audit trail is read by anyone with a role somewhere; the service keeps the entries of projects they may read. */
@Resolver()
export class AuditResolver {
  @Authorized(Role.VIEWER)
  @Query(() => AuditConnection, { description: 'The audit trail of the projects the caller may read, oldest first.' })
  async auditLog(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID, { nullable: true }) modelId: string | null,
    @Arg('actor', () => String, { nullable: true }) actor: string | null,
    @Arg('action', () => String, { nullable: true }) action: string | null,
    @Arg('since', () => Date, { nullable: true }) since: Date | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<AuditConnection> {
    const page = await ctx.services.auditQueries.list(callerOf(ctx), { modelId, actor, action, since }, pageSize(first, ctx.limits.maxPageSize), after);
    return {
      edges: page.nodes.map((node) => ({ cursor: node.id, node })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      filter: { modelId, actor, action, since },
    };
  }

  @Authorized(Role.VIEWER)
  @Query(() => AuditExport, { description: `The same entries as auditLog as JSON lines, ${EXPORT_CHUNK} per chunk.` })
  async auditLogExport(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID, { nullable: true }) modelId: string | null,
    @Arg('since', () => Date, { nullable: true }) since: Date | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<AuditExport> {
    const page = await ctx.services.auditQueries.list(callerOf(ctx), { modelId, since }, EXPORT_CHUNK, after);
    return { jsonLines: toJsonLines(page.nodes), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }
}

@Resolver(() => AuditConnection)
export class AuditConnectionResolver {
  @FieldResolver(() => Int, { description: 'Entries matching the filter that the caller may read, across all pages.' })
  totalCount(@Root() connection: AuditConnection, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.auditQueries.count(callerOf(ctx), connection.filter);
  }
}

@Resolver(() => ModelEvent)
export class ModelEventAuditResolver {
  @FieldResolver(() => AuditEntry, { nullable: true, description: 'The audit entry of an AUDIT event.' })
  audit(@Root() event: ModelEventPayload): AuditRecord | null {
    return event.audit ?? null;
  }
}
