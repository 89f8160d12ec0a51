import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { Provenance } from './benchmark.type';
import { BenchmarkHistory, EvaluationHistory, HistoryOrder } from './measurement-history.type';

/** What both histories are filtered and paged by. */
@ArgsType()
class HistoryArgs {
  @Field(() => ID) modelId!: string;
  @Field(() => ID, { nullable: true }) versionId?: string | null;
  @Field(() => Provenance, { nullable: true }) provenance?: Provenance | null;
  @Field(() => Date, { nullable: true, description: 'Recorded at or after.' }) since?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Recorded before (exclusive).' }) until?: Date | null;
  @Field(() => HistoryOrder, { defaultValue: HistoryOrder.NEWEST_FIRST }) order!: HistoryOrder;
  @Field(() => Int, { defaultValue: 20 }) first!: number;
  @Field(() => String, { nullable: true, description: 'The pageInfo.endCursor of the previous page (same filters and order).' }) after?: string | null;
}

@ArgsType()
class BenchmarkHistoryArgs extends HistoryArgs {
  @Field(() => String, { nullable: true, description: 'e.g. "1xH100-80GB vllm-0.6 fp16"; see hardwareProfiles.' }) hardwareProfile?: string | null;
}

@ArgsType()
class EvaluationHistoryArgs extends HistoryArgs {
  @Field(() => String, { nullable: true, description: 'mmlu, humaneval, mt_bench, …; see evaluations.' }) benchmark?: string | null;
  @Field(() => String, { nullable: true, description: 'acc, exact_match, pass@1, rating, …' }) metric?: string | null;
}

function filterOf(ctx: GraphQLContext, args: HistoryArgs) {
  return {
    modelId: args.modelId,
    versionId: args.versionId ?? null,
    provenance: args.provenance ?? null,
    since: args.since ?? null,
    until: args.until ?? null,
    order: args.order === HistoryOrder.OLDEST_FIRST ? ('oldest' as const) : ('newest' as const),
    first: pageSize(args.first, ctx.limits.maxPageSize),
    after: args.after ?? null,
  };
}

@Resolver(() => BenchmarkHistory)
export class BenchmarkHistoryResolver {
  @Authorized(Role.VIEWER)
  @Query(() => BenchmarkHistory, {
    description:
      "A model's benchmark history: every run (measured, recorded by hand or reported) over time, per hardware profile when given, " +
      'paged with `after: pageInfo.endCursor`. NOT_FOUND for a model the caller may not read.',
  })
  async benchmarkHistory(@Ctx() ctx: GraphQLContext, @Args(() => BenchmarkHistoryArgs) args: BenchmarkHistoryArgs): Promise<BenchmarkHistory> {
    const page = await ctx.services.measurementHistory.benchmarks(callerOf(ctx), { ...filterOf(ctx, args), hardwareProfile: args.hardwareProfile ?? null });
    return { edges: page.edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, modelId: args.modelId };
  }

  @FieldResolver(() => [String], { description: 'Every hardware profile the model was benchmarked on, whatever the filters: the histories there are.' })
  hardwareProfiles(@Ctx() ctx: GraphQLContext, @Root() history: BenchmarkHistory): Promise<string[]> {
    return ctx.services.measurementHistory.hardwareProfiles(callerOf(ctx), history.modelId);
  }
}

@Resolver(() => EvaluationHistory)
export class EvaluationHistoryResolver {
  @Authorized(Role.VIEWER)
  @Query(() => EvaluationHistory, {
    description:
      "A model's evaluation history: every score (measured, recorded by hand or reported) over time, of one evaluation and metric when " +
      'given, paged with `after: pageInfo.endCursor`. NOT_FOUND for a model the caller may not read.',
  })
  async evaluationHistory(@Ctx() ctx: GraphQLContext, @Args(() => EvaluationHistoryArgs) args: EvaluationHistoryArgs): Promise<EvaluationHistory> {
    const page = await ctx.services.measurementHistory.evaluations(callerOf(ctx), { ...filterOf(ctx, args), benchmark: args.benchmark ?? null, metric: args.metric ?? null });
    return { edges: page.edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, modelId: args.modelId };
  }

  @FieldResolver(() => [String], { description: 'Every evaluation the model has results on, whatever the filters.' })
  evaluations(@Ctx() ctx: GraphQLContext, @Root() history: EvaluationHistory): Promise<string[]> {
    return ctx.services.measurementHistory.evaluationNames(callerOf(ctx), history.modelId);
  }
}
