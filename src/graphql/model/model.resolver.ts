import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { ModelRecord } from '../../domain/catalog/catalog-records';
import type { ModelFieldsInput as DomainFieldsInput } from '../../domain/catalog/model-draft';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import { capped } from '../list-caps';
import { callerOf } from '../governance/governance-access';
import type { GraphQLContext } from '../context';
import { ModelOrder } from '../enums';
import { Benchmark, Evaluation } from '../benchmark/benchmark.type';
import { License } from '../license/license.type';
import { ScanResult } from '../scan/scan-result.type';
import { Operation } from '../operation/operation.type';
import { shownSourceUri } from '../version/source-display';
import { Version } from '../version/version.type';
import { VersionFilterInput } from '../version/version-filter.input';
import { validateVersionFilter } from '../../domain/catalog/version-query';
import type { ModelCount } from '../../services/model-query.service';
import { ModelConnection } from './model-connection.type';
import { ModelEvidenceOrderInput } from './evidence-filter.input';
import { ModelFieldsInput, ModelFilterInput, RegisterModelInput, UpdateModelInput } from './model.input';
import { LifecycleTransition, Model } from './model.type';

/** GraphQL names the license `license`; the domain calls the reference `licenseId`. */
function toDomainFields<T extends ModelFieldsInput>(input: T): Omit<T, 'license'> & DomainFieldsInput {
  const { license, ...rest } = input;
  return license === undefined ? rest : { ...rest, licenseId: license };
}

@Resolver(() => Model)
export class ModelResolver {
  // @Authorized says the least role a field needs in some project; the services check it in the object's project.
  @Authorized(Role.VIEWER)
  @Query(() => ModelConnection, { description: 'Models matching the filter, one page at a time (of the projects the caller reads, public ones included).' })
  async models(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => ModelFilterInput, { nullable: true }) filter: ModelFilterInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('orderBy', () => ModelOrder, { nullable: true, defaultValue: ModelOrder.CREATED_AT_DESC }) orderBy: ModelOrder | null,
    @Arg('orderByEvidence', () => ModelEvidenceOrderInput, { nullable: true, description: 'Orders by a measured result instead of orderBy (only models with one are listed).' })
    orderByEvidence: ModelEvidenceOrderInput | null,
  ): Promise<ModelConnection> {
    const size = pageSize(first, ctx.limits.maxPageSize);
    // An explicit null takes the default too (it used to reach the sort table as a missing key).
    const page = await ctx.services.modelQueries.list(callerOf(ctx), filter ?? {}, size, after, orderBy ?? ModelOrder.CREATED_AT_DESC, orderByEvidence);
    for (const { node } of page.nodes) ctx.loaders.modelById.prime(node.id, node);
    return {
      edges: page.nodes as ModelConnection['edges'],
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      filter: filter ?? {},
      orderByEvidence,
    };
  }

  @Authorized(Role.VIEWER)
  @Query(() => Model, { description: 'A model; one of a project the caller cannot read is NOT_FOUND, like an unknown id.' })
  model(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ModelRecord> {
    return ctx.services.modelQueries.get(callerOf(ctx), id);
  }

  @Authorized(Role.VIEWER)
  @Query(() => Model, { description: 'A model by name; one of a project the caller cannot read is NOT_FOUND, like an unknown name.' })
  modelByName(@Ctx() ctx: GraphQLContext, @Arg('name', () => String) name: string): Promise<ModelRecord> {
    return ctx.services.modelQueries.getByName(callerOf(ctx), name);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Model, { description: 'Adds a catalog entry in DRAFT. Needs the editor role in its project (none given: "default").' })
  registerModel(@Ctx() ctx: GraphQLContext, @Arg('input', () => RegisterModelInput) input: RegisterModelInput): Promise<ModelRecord> {
    return ctx.services.models.register(callerOf(ctx), toDomainFields(input));
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Model, {
    description: "Changes the given fields; omitted ones stay, null clears. Needs the editor role in the model's project, and in the new one too when `project` moves it.",
  })
  updateModel(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateModelInput) input: UpdateModelInput,
  ): Promise<ModelRecord> {
    return ctx.services.models.update(callerOf(ctx), id, toDomainFields(input));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ID, {
    description: "Deletes a model with its versions and records; refused while a version is PUBLISHED or an operation runs. Needs the admin role in the model's project.",
  })
  async deleteModel(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<string> {
    return (await ctx.services.models.delete(callerOf(ctx), id)).id;
  }

  @FieldResolver()
  sourceUri(@Root() model: ModelRecord): string | null {
    return shownSourceUri(model.sourceUri);
  }

  @FieldResolver(() => License, { nullable: true })
  license(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext) {
    return model.licenseId ? ctx.loaders.licenseById.load(model.licenseId) : null;
  }

  @FieldResolver(() => Version, { nullable: true, description: 'What consumers get by default (`main` on /hf): always a VERIFIED, EVALUATED or PUBLISHED version; none until one is verified.' })
  defaultVersion(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext) {
    return model.defaultVersionId ? ctx.loaders.versionById.load(model.defaultVersionId) : null;
  }

  @FieldResolver(() => Version, {
    nullable: true,
    description: 'A version asked to become the default (createVersion makeDefault) that is not usable yet: it becomes the default when verified.',
  })
  pendingDefaultVersion(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext) {
    return model.pendingDefaultVersionId ? ctx.loaders.versionById.load(model.pendingDefaultVersionId) : null;
  }

  @FieldResolver(() => [Version], { description: 'Newest semantic version first.' })
  async versions(
    @Root() model: ModelRecord,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null,
    @Arg('filter', () => VersionFilterInput, { nullable: true, description: 'Only the versions matching it (the language of Query.versions).' }) filter: VersionFilterInput | null,
  ) {
    if (!filter) return capped(await ctx.loaders.versionsByModel.load(model.id), first, ctx.limits.nestedListLimit);
    const valid = validateVersionFilter(filter);
    return capped(await ctx.loaders.versionsByModelFiltered.load({ modelId: model.id, filter: valid, filterKey: JSON.stringify(valid) }), first, ctx.limits.nestedListLimit);
  }

  @FieldResolver(() => ScanResult, { nullable: true, description: 'The most recent scan of any version.' })
  latestScan(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.latestScanByModel.load(model.id);
  }

  @FieldResolver(() => [Benchmark], { description: 'Newest first.' })
  async benchmarks(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.benchmarksByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }

  @FieldResolver(() => [Evaluation])
  async evaluations(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.evaluationsByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }

  @FieldResolver(() => [Operation], { description: 'Imports and caching runs, newest first.' })
  async operations(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.operationsByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }

  @FieldResolver(() => [LifecycleTransition], { description: 'Every lifecycle move of the model and its versions, oldest first.' })
  async transitions(@Root() model: ModelRecord, @Ctx() ctx: GraphQLContext, @Arg('first', () => Int, { nullable: true, description: 'At most this many (default and largest: NESTED_LIST_LIMIT).' }) first: number | null) {
    return capped(await ctx.loaders.transitionsByModel.load(model.id), first, ctx.limits.nestedListLimit);
  }
}

@Resolver(() => ModelConnection)
export class ModelConnectionResolver {
  @FieldResolver(() => Int, {
    description: 'Models matching the filter, across all pages: exact up to 1,000, above that an estimate (see totalCountExact).',
  })
  async totalCount(@Root() connection: ModelConnection, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await counted(connection, ctx)).count;
  }

  @FieldResolver(() => Boolean, { description: "Whether totalCount is exact: false when over 1,000 models match and it is the database's estimate." })
  async totalCountExact(@Root() connection: ModelConnection, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return (await counted(connection, ctx)).exact;
  }
}

function counted(connection: ModelConnection, ctx: GraphQLContext): Promise<ModelCount> {
  connection.counted ??= ctx.services.modelQueries.count(callerOf(ctx), connection.filter, connection.orderByEvidence);
  return connection.counted;
}
