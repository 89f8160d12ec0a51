import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { aliasName } from '../../domain/files/alias-name';
import { NotFoundError } from '../../domain/common/domain-error';
import type { AliasRecord } from '../../services/alias.service';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { fileLoadersOf } from '../files/files.loader';
import { capped } from '../list-caps';
import { Model } from '../model/model.type';
import { Version } from '../version/version.type';
import { AliasMove, ModelAlias } from './alias.type';

@Resolver(() => ModelAlias)
export class ModelAliasResolver {
  @FieldResolver(() => Version)
  async version(@Root() alias: AliasRecord, @Ctx() ctx: GraphQLContext): Promise<VersionRecord> {
    const version = await ctx.loaders.versionById.load(alias.versionId);
    if (!version) throw new NotFoundError('Version', alias.versionId); // FK makes this unreachable
    return version;
  }
}

@Resolver(() => Model)
export class ModelAliasesResolver {
  @FieldResolver(() => [ModelAlias], { description: 'The model\'s aliases, `default` (its default version) included.' })
  aliases(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext): Promise<AliasRecord[]> {
    return fileLoadersOf(ctx).aliasesByModel.load(model.id);
  }

  @FieldResolver(() => Version, { nullable: true, description: 'The version an alias points at (`default` is the default version).' })
  async alias(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('name', () => String) name: string): Promise<VersionRecord | null> {
    const wanted = aliasName('name', name);
    const found = (await fileLoadersOf(ctx).aliasesByModel.load(model.id)).find((a) => a.name === wanted);
    return found ? ctx.loaders.versionById.load(found.versionId) : null;
  }

  @FieldResolver(() => [AliasMove], { description: 'Every move of the model\'s aliases, newest first.' })
  async aliasHistory(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await fileLoadersOf(ctx).aliasMovesByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }
}

@Resolver()
export class AliasMutationResolver {
  // @Authorized says the least role a field needs in some project; the services check it in the model's project.
  @Authorized(Role.VIEWER)
  @Query(() => Version, {
    description: "The version a model's alias points at, by model name (`default` is the default version). A model of a project the caller cannot read is NOT_FOUND, like an unknown name.",
  })
  async versionByAlias(@Ctx() ctx: GraphQLContext, @Arg('model', () => String) model: string, @Arg('alias', () => String) alias: string): Promise<VersionRecord> {
    const caller = callerOf(ctx);
    const found = await ctx.services.modelQueries.getByName(caller, model);
    const versionId = await ctx.services.aliases.resolve(caller, found.id, alias);
    if (!versionId) throw new NotFoundError('Alias', `${found.name}@${alias}`);
    return ctx.services.versions.get(caller, versionId);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => ModelAlias, {
    description:
      "Points an alias at a VERIFIED, EVALUATED or PUBLISHED version of the model (creating it). Needs the editor role in the model's project; a protected alias (PROTECTED_ALIASES, `production` by default) the approver role in that project. Every move is recorded.",
  })
  setAlias(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('name', () => String) name: string,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<AliasRecord> {
    return ctx.services.aliases.set(callerOf(ctx), modelId, name, versionId, reason);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Boolean, { description: "Removes an alias (not `default`). Needs the editor role in the model's project; a protected alias the approver role there." })
  removeAlias(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('name', () => String) name: string,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
  ): Promise<boolean> {
    return ctx.services.aliases.remove(callerOf(ctx), modelId, name, reason);
  }
}
