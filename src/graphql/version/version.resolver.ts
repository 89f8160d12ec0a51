import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import { after, capped } from '../list-caps';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { LifecycleStage } from '../enums';
import { LifecycleTransition, Model } from '../model/model.type';
import { ScanResult } from '../scan/scan-result.type';
import { LocalCache, VersionFile } from '../operation/operation.type';
import { CreateVersionInput, UpdateVersionInput } from './version.input';
import { shownSource } from './source-display';
import { Version } from './version.type';
import { VersionSignature } from '../signing/signature.type';
import { signatureView, UNSIGNED } from '../signing/signature-view';

@Resolver(() => Version)
export class VersionResolver {
  // @Authorized says the least role a field needs in some project; the services check it in the object's project.
  @Authorized(Role.VIEWER)
  @Query(() => Version, { description: 'A version; one of a project the caller cannot read is NOT_FOUND, like an unknown id.' })
  version(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<VersionRecord> {
    return ctx.services.versions.get(callerOf(ctx), id);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Version, { description: "Adds a DRAFT version to a model. Needs the editor role in the model's project." })
  createVersion(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateVersionInput) input: CreateVersionInput): Promise<VersionRecord> {
    return ctx.services.versions.create(callerOf(ctx), input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Version, {
    description:
      "Corrects what a version declares (the values its import checks the files against) while it has never been VERIFIED: a DRAFT, or one " +
      'that NEEDS_ATTENTION from its own import; retryOperation then checks against the new values. A verified version\'s declarations are ' +
      "immutable (CONFLICT). Needs the editor role in the model's project; audited as `version.updated` with the field changes.",
  })
  updateVersion(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateVersionInput) input: UpdateVersionInput): Promise<VersionRecord> {
    return ctx.services.versionDeclarations.update(callerOf(ctx), id, input);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Model, {
    description:
      "Points the model at one of its versions: a VERIFIED, EVALUATED or PUBLISHED one (any other is a CONFLICT and changes nothing). Needs the editor role in the model's project (the approver role there when `default` is a protected alias); recorded in aliasHistory and the audit log (`default.changed`).",
  })
  setDefaultVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why, for the alias history and the audit log.' }) reason: string | null,
  ): Promise<ModelRecord> {
    return ctx.services.aliases.setDefault(callerOf(ctx), modelId, versionId, reason);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Version, {
    description:
      "Moves a version by hand, under the project's promotion policy: a promotion that needs no approvals (VERIFIED → EVALUATED by " +
      'default) is applied at once; one that does (→ PUBLISHED) is refused with the approvals gate: use requestPromotion. Any → ARCHIVED ' +
      'is archiveVersion (approver). Imports move versions into and out of INGESTING; retryOperation re-imports one that NEEDS_ATTENTION.',
  })
  transitionVersion(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('to', () => LifecycleStage) to: LifecycleStage,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('force', () => Boolean, { nullable: true, defaultValue: false, description: 'With to: ARCHIVED, archive a version on record as deployed (needs a reason).' }) force: boolean,
  ): Promise<VersionRecord> {
    return ctx.services.versionLifecycle.transition(callerOf(ctx), id, to, reason, { force });
  }

  @FieldResolver(() => [LifecycleTransition], { description: 'Every lifecycle move of this version, oldest first.' })
  async transitions(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.transitionsByVersion.load(version.id), first, ctx.limits.nestedListLimit);
  }

  @FieldResolver()
  source(@Root() version: VersionRecord): Record<string, unknown> | null {
    return shownSource(version.source as Record<string, unknown> | null);
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
  async files(
    @Root() version: VersionRecord,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: FILES_LIST_LIMIT).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The path of the last file of the previous page.' }) afterPath: string | null,
  ) {
    return capped(after(await ctx.loaders.filesByVersion.load(version.id), (f) => f.path, afterPath), first, ctx.limits.filesListLimit);
  }

  @FieldResolver(() => [LocalCache], { description: 'Local copies of this version, newest first (evicted ones included).' })
  async localCaches(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.cachesByVersion.load(version.id), first, ctx.limits.nestedListLimit);
  }

  @FieldResolver(() => VersionSignature, {
    description:
      "The upstream signature the files carried (`model.sig`), as checked when they were verified: signed or not, valid or not, who signed, which " +
      'files it covers. One that does not verify keeps the version from VERIFIED.',
  })
  async signature(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext): Promise<VersionSignature> {
    const row = (await ctx.loaders.signaturesByVersion.load(version.id)).find((s) => s.origin === 'UPSTREAM');
    return row ? signatureView(row) : UNSIGNED;
  }

  @FieldResolver(() => VersionSignature, {
    nullable: true,
    description: "The registry's own signature, made when the version was published and served as its `model.sig` (verify it with the key at /signing/public-key.pem).",
  })
  async registrySignature(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext): Promise<VersionSignature | null> {
    const row = (await ctx.loaders.signaturesByVersion.load(version.id)).find((s) => s.origin === 'REGISTRY');
    return row ? signatureView(row) : null;
  }

  @FieldResolver(() => [ScanResult], { description: 'Newest first.' })
  async scans(@Root() version: VersionRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.scansByVersion.load(version.id), first, ctx.limits.nestedListLimit);
  }
}
