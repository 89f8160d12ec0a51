import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import { requireRole } from '../auth';
import type { GraphQLContext } from '../context';
import { Model } from '../model/model.type';
import { ScanResult } from '../scan/scan-result.type';
import { LocalCache, VersionFile } from '../operation/operation.type';
import { CreateVersionInput } from './version.input';
import { Version } from './version.type';

@Resolver(() => Version)
export class VersionResolver {
  @Authorized(Role.VIEWER)
  @Query(() => Version)
  version(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<VersionRecord> {
    return ctx.services.versions.get(id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Version)
  createVersion(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateVersionInput) input: CreateVersionInput): Promise<VersionRecord> {
    return ctx.services.versions.create(input, requireRole(ctx, Role.EDITOR).subject);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Model, { description: 'Points the model at one of its versions.' })
  setDefaultVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('versionId', () => ID) versionId: string,
  ): Promise<ModelRecord> {
    return ctx.services.versions.setDefault(modelId, versionId);
  }

  @FieldResolver(() => Model)
  async model(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext): Promise<ModelRecord> {
    const model = await ctx.loaders.modelById.load(version.modelId);
    if (!model) throw new Error(`version ${version.id} has no model`); // FK makes this unreachable
    return model;
  }

  @FieldResolver(() => Version, { nullable: true, description: 'The version this one derives from.' })
  parent(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext) {
    return version.parentVersionId ? ctx.loaders.versionById.load(version.parentVersionId) : null;
  }

  @FieldResolver(() => [VersionFile], { description: 'The manifest: every file with its size, sha256 and format.' })
  files(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.filesByVersion.load(version.id);
  }

  @FieldResolver(() => [LocalCache], { description: 'Local copies of this version, newest first (evicted ones included).' })
  localCaches(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.cachesByVersion.load(version.id);
  }

  @FieldResolver(() => [ScanResult], { description: 'Newest first.' })
  scans(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.scansByVersion.load(version.id);
  }
}
