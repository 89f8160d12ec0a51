import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import type { GraphQLContext } from '../context';
import { scopeOf } from '../governance/governance-access';
import { Provenance } from './benchmark.type';
import { BenchmarkHistory, EvaluationHistory, HistoryOrder } from './measurement-history.type';

/** The arguments both histories share, in one place so the two queries read alike. */
function common(ctx: GraphQLContext, modelId: string, versionId: string | null, provenance: Provenance | null, since: Date | null, until: Date | null, order: HistoryOrder, first: number, after: string | null) {
  return { modelId, versionId, provenance, since, until, order: order === HistoryOrder.OLDEST_FIRST ? ('oldest' as const) : ('newest' as const), first: pageSize(first, ctx.limits.maxPageSize), after };
}

@Resolver(() => BenchmarkHistory)
export class BenchmarkHistoryResolver {
  @Authorized(Role.VIEWER)
  @Query(() => BenchmarkHistory, {
    description:
      "A model's benchmark history: every run (measured or reported) over time, per hardware profile when given, " +
      'paged with `after: pageInfo.endCursor`. NOT_FOUND for a model the caller may not read.',
  })
  async benchmarkHistory(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('hardwareProfile', () => String, { nullable: true, description: 'e.g. "1xH100-80GB vllm-0.6 fp16"; see hardwareProfiles.' }) hardwareProfile: string | null,
    @Arg('versionId', () => ID, { nullable: true }) versionId: string | null,
    @Arg('provenance', () => Provenance, { nullable: true }) provenance: Provenance | null,
    @Arg('since', () => Date, { nullable: true, description: 'Recorded at or after.' }) since: Date | null,
    @Arg('until', () => Date, { nullable: true, description: 'Recorded before (exclusive).' }) until: Date | null,
    @Arg('order', () => HistoryOrder, { defaultValue: HistoryOrder.NEWEST_FIRST }) order: HistoryOrder,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<BenchmarkHistory> {
    const page = await ctx.services.measurementHistory.benchmarks({ ...common(ctx, modelId, versionId, provenance, since, until, order, first, after), hardwareProfile }, scopeOf(ctx));
    return { edges: page.edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, modelId };
  }

  @FieldResolver(() => [String], { description: 'Every hardware profile the model was benchmarked on, whatever the filters: the histories there are.' })
  hardwareProfiles(@Ctx() ctx: GraphQLContext, @Root() history: BenchmarkHistory): Promise<string[]> {
    return ctx.services.measurementHistory.hardwareProfiles(history.modelId);
  }
}

@Resolver(() => EvaluationHistory)
export class EvaluationHistoryResolver {
  @Authorized(Role.VIEWER)
  @Query(() => EvaluationHistory, {
    description:
      "A model's evaluation history: every score (measured or reported) over time, of one evaluation and metric when " +
      'given, paged with `after: pageInfo.endCursor`. NOT_FOUND for a model the caller may not read.',
  })
  async evaluationHistory(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('benchmark', () => String, { nullable: true, description: 'mmlu, humaneval, mt_bench, …; see evaluations.' }) benchmark: string | null,
    @Arg('metric', () => String, { nullable: true, description: 'acc, exact_match, pass@1, rating, …' }) metric: string | null,
    @Arg('versionId', () => ID, { nullable: true }) versionId: string | null,
    @Arg('provenance', () => Provenance, { nullable: true }) provenance: Provenance | null,
    @Arg('since', () => Date, { nullable: true, description: 'Recorded at or after.' }) since: Date | null,
    @Arg('until', () => Date, { nullable: true, description: 'Recorded before (exclusive).' }) until: Date | null,
    @Arg('order', () => HistoryOrder, { defaultValue: HistoryOrder.NEWEST_FIRST }) order: HistoryOrder,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<EvaluationHistory> {
    const page = await ctx.services.measurementHistory.evaluations({ ...common(ctx, modelId, versionId, provenance, since, until, order, first, after), benchmark, metric }, scopeOf(ctx));
    return { edges: page.edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor }, modelId };
  }

  @FieldResolver(() => [String], { description: 'Every evaluation the model has results on, whatever the filters.' })
  evaluations(@Ctx() ctx: GraphQLContext, @Root() history: EvaluationHistory): Promise<string[]> {
    return ctx.services.measurementHistory.evaluationNames(history.modelId);
  }
}
