import { Field, ObjectType } from 'type-graphql';
import type { EvidenceOrder } from '../../domain/catalog/evidence-order';
import type { VersionFilter } from '../../domain/catalog/version-query';
import { PageInfo } from '../model/model-connection.type';
import { Version } from './version.type';
import type { CappedCount } from '../../services/model-page-sql';

@ObjectType()
export class VersionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Version)
  node!: Version;
}

@ObjectType({ description: 'A page of versions; pass `pageInfo.endCursor` as `after` for the next one.' })
export class VersionConnection {
  @Field(() => [VersionEdge])
  edges!: VersionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Kept for `totalCount`, which is only counted when asked for. */
  filter!: VersionFilter;
  orderByEvidence!: EvidenceOrder | null;
  /** `totalCount` and `totalCountExact` share one count per connection. */
  counted?: Promise<CappedCount>;
}
