import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import type { UpstreamWatchRecord } from '../../services/upstream-watch.service';
import type { GraphQLContext } from '../context';
import { Model } from '../model/model.type';
import { Version } from '../version/version.type';
import { UpstreamWatch } from './upstream.type';

@Resolver(() => UpstreamWatch)
export class UpstreamWatchResolver {
  @FieldResolver(() => Version, { nullable: true, description: 'The DRAFT (or imported) version made for the latest new commit; submitVersion imports a DRAFT one.' })
  proposedVersion(@Root() watch: UpstreamWatchRecord, @Ctx() ctx: GraphQLContext): Promise<VersionRecord | null> | null {
    return watch.proposedVersionId ? ctx.loaders.versionById.load(watch.proposedVersionId) : null;
  }
}

@Resolver(() => Model)
export class ModelUpstreamResolver {
  @FieldResolver(() => UpstreamWatch, { nullable: true, description: 'What the upstream watch last saw of this Hugging Face model (null before its first look).' })
  upstream(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext): Promise<UpstreamWatchRecord | null> {
    return ctx.loaders.upstreamByModel.load(model.id);
  }
}
