import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { AuditFilter } from '../../services/audit-query.service';
import { PageInfo } from '../model/model-connection.type';

@ObjectType({ description: 'One entry of the append-only audit log.' })
export class AuditEntry {
  @Field(() => ID, { description: 'Increasing: the order of the trail.' }) id!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String) actor!: string;
  @Field(() => String, { description: 'model.registered, model.updated, version.moved, promotion.requested, promotion.applied, license.blocked, alias.set, default.changed, …' })
  action!: string;
  @Field(() => String, { nullable: true }) project!: string | null;
  @Field(() => ID, { nullable: true }) modelId!: string | null;
  @Field(() => ID, { nullable: true }) versionId!: string | null;
  @Field(() => String, { nullable: true, description: 'The other thing the entry is about (a promotion request id, an alias).' }) subjectId!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'The API request that made the change.' }) requestId!: string | null;
  @Field(() => GraphQLJSONObject, { description: 'Field-level before/after, gate results, the usage checked, …' }) details!: Record<string, unknown>;
}

@ObjectType()
export class AuditEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AuditEntry) node!: AuditEntry;
}

@ObjectType({ description: 'Audit entries, oldest first.' })
export class AuditConnection {
  @Field(() => [AuditEdge]) edges!: AuditEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  /** Kept for `totalCount`, which is only counted when asked for. */
  filter!: AuditFilter;
}

@ObjectType({ description: 'A chunk of the audit log as JSON lines; ask again with `after: endCursor` while hasNextPage.' })
export class AuditExport {
  @Field(() => String, { description: 'One JSON object per line, each ending with a newline.' }) jsonLines!: string;
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
