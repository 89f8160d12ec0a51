import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { BenchmarkRecord, EvaluationRecord, ModelRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import { Role } from '../../domain/auth/roles';
import type { LocalCacheRecord } from '../../domain/onboarding/manifest';
import { OperationKind, type OperationRecord } from '../../domain/onboarding/operation';
import { Benchmark, Evaluation } from '../benchmark/benchmark.type';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { Model } from '../model/model.type';
import type { ModelEventPayload } from '../pubsub';
import { Version } from '../version/version.type';
import { ImportModelInput } from './operation.input';
import { modelEventSubscription, operationSubscription } from './operation-stream';
import { resolveEvent, type StreamEnd } from './subscription-stream';
import { LocalCache, ModelEvent, Operation } from './operation.type';

interface IdArgs {
  id: string;
}

/**
 * `@Authorized` says the least role a field needs in some project; the services check it in the object's project
 * (NOT_FOUND when the caller cannot read that project, FORBIDDEN when it can but lacks the role).
 */
@Resolver(() => Operation)
export class OperationResolver {
  @Authorized(Role.VIEWER)
  @Query(() => Operation)
  operation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<OperationRecord> {
    return ctx.services.operations.get(callerOf(ctx), id);
  }

  // EDITOR in the model's project (an existing model's, else the one named in the input).
  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, {
    description:
      'Onboards a model version from a source: creates the model if new and the version in INGESTING, starts the ' +
      'import workflow and answers at once. Importing the same version again returns the running operation.',
  })
  importModel(@Ctx() ctx: GraphQLContext, @Arg('input', () => ImportModelInput) input: ImportModelInput): Promise<OperationRecord> {
    const { license, source, ...rest } = input;
    return ctx.services.onboarding.importModel(callerOf(ctx), { ...rest, ...(license === undefined ? {} : { licenseId: license }), source });
  }

  // EDITOR in the operation's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, { description: 'Starts a failed or cancelled import again (the model leaves NEEDS_ATTENTION).' })
  retryOperation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<OperationRecord> {
    return ctx.services.onboarding.retry(callerOf(ctx), id);
  }

  // EDITOR in the operation's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, { description: 'Cancels a running operation; an import leaves no half-written version.' })
  cancelOperation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<OperationRecord> {
    return ctx.services.onboarding.cancel(callerOf(ctx), id);
  }

  // EDITOR in the version's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => LocalCache, {
    description:
      "Materialises a verified version into a worker host's cache root (a workflow): on `host` when given, else on the " +
      'first worker host that picks it up. One live cache per version and host.',
  })
  createLocalCache(
    @Ctx() ctx: GraphQLContext,
    @Arg('versionId', () => ID) versionId: string,
    @Arg('host', () => String, { nullable: true, description: 'A worker host id (WORKER_HOST_ID).' }) host: string | null,
  ): Promise<LocalCacheRecord> {
    return ctx.services.caches.create(callerOf(ctx), versionId, host ?? null);
  }

  // EDITOR in the cache's project.
  @Authorized(Role.EDITOR)
  @Mutation(() => LocalCache, { description: 'Deletes a cached copy from the disk of the host that holds it (runs there).' })
  evictLocalCache(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<LocalCacheRecord> {
    return ctx.services.caches.evict(callerOf(ctx), id);
  }

  @Subscription(() => Operation, {
    description: 'The operation now, then every update until it ends. Token in the connection params.',
    subscribe: ({ args, context }) => operationSubscription(context as GraphQLContext, (args as IdArgs).id),
  })
  operationProgress(
    @Root() event: OperationRecord | StreamEnd,
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) _id: string,
  ): OperationRecord {
    return resolveEvent(event, ctx);
  }

  @Subscription(() => ModelEvent, {
    description: "A model's operation updates and lifecycle moves, as they happen.",
    subscribe: ({ args, context }) => modelEventSubscription(context as GraphQLContext, (args as { modelId: string }).modelId),
  })
  modelEvents(
    @Root() event: ModelEventPayload | StreamEnd,
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) _modelId: string,
  ): ModelEventPayload {
    return resolveEvent(event, ctx);
  }

  @FieldResolver(() => Model)
  async model(@Root() operation: OperationRecord, @Ctx() ctx: GraphQLContext): Promise<ModelRecord | null> {
    return ctx.loaders.modelById.load(operation.modelId);
  }

  @FieldResolver(() => Version, { nullable: true })
  version(@Root() operation: OperationRecord, @Ctx() ctx: GraphQLContext): Promise<VersionRecord | null> | null {
    return operation.versionId ? ctx.loaders.versionById.load(operation.versionId) : null;
  }

  @FieldResolver(() => Benchmark, { nullable: true, description: 'A BENCHMARK operation that succeeded: the benchmark it stored.' })
  async benchmark(@Root() operation: OperationRecord, @Ctx() ctx: GraphQLContext): Promise<BenchmarkRecord | null> {
    if (operation.kind !== OperationKind.BENCHMARK) return null;
    return (await ctx.loaders.benchmarksByOperation.load(operation.id))[0] ?? null;
  }

  @FieldResolver(() => [Evaluation], { description: 'An EVALUATION operation that succeeded: the evaluation it stored per task.' })
  evaluations(@Root() operation: OperationRecord, @Ctx() ctx: GraphQLContext): Promise<EvaluationRecord[]> | EvaluationRecord[] {
    return operation.kind === OperationKind.EVALUATION ? ctx.loaders.evaluationsByOperation.load(operation.id) : [];
  }
}

@Resolver(() => LocalCache)
export class LocalCacheResolver {
  @FieldResolver(() => Operation, { nullable: true })
  operation(@Root() cache: LocalCacheRecord, @Ctx() ctx: GraphQLContext): Promise<OperationRecord> | null {
    return cache.operationId ? ctx.services.operations.get(callerOf(ctx), cache.operationId) : null;
  }
}
