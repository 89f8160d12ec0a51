import { Field, ObjectType } from 'type-graphql';
import type { ModelFilter } from '../../domain/catalog/model-query';
import type { EvidenceOrder } from '../../domain/catalog/evidence-order';
import type { ModelCount } from '../../services/model-query.service';
import { Model } from './model.type';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class ModelEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Model)
  node!: Model;
}

@ObjectType({ description: 'A page of models; pass `pageInfo.endCursor` as `after` for the next one.' })
export class ModelConnection {
  @Field(() => [ModelEdge])
  edges!: ModelEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Kept for `totalCount`, which is only counted when asked for. */
  filter!: ModelFilter;
  orderByEvidence!: EvidenceOrder | null;
  /** `totalCount` and `totalCountExact` share one count per connection. */
  counted?: Promise<ModelCount>;
}
