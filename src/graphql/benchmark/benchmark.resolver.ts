import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { BenchmarkRecord, EvaluationRecord } from '../../domain/catalog/catalog-records';
import { pageSize } from '../../domain/catalog/model-query';
import { Role } from '../../domain/auth/roles';
import { callerOf } from '../governance/governance-access';
import type { GraphQLContext } from '../context';
import { Model } from '../model/model.type';
import { BigIntScalar } from '../scalars/bigint.scalar';
import { Version } from '../version/version.type';
import { RecordBenchmarkInput, RecordEvaluationInput } from './benchmark.input';
import { Benchmark, Evaluation, Leaderboard, LeaderboardEntry, ParetoFront, ParetoPoint, Provenance } from './benchmark.type';

const PROVENANCE_FILTER = 'Only results of this provenance; none given: MEASURED and REPORTED, never RECORDED.';

interface Measured {
  modelId: string;
  versionId: string;
}

@Resolver(() => Benchmark)
export class BenchmarkResolver {
  @Authorized(Role.VIEWER)
  @Query(() => [Benchmark], { description: 'Benchmark runs, newest first.' })
  benchmarks(
    @Ctx() ctx: GraphQLContext,
    @Arg('modelId', () => ID, { nullable: true }) modelId: string | null,
    @Arg('versionId', () => ID, { nullable: true }) versionId: string | null,
    @Arg('hardwareProfile', () => String, { nullable: true }) hardwareProfile: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
  ): Promise<BenchmarkRecord[]> {
    return ctx.services.measurements.listBenchmarks(callerOf(ctx), { modelId, versionId, hardwareProfile }, pageSize(first, ctx.limits.maxPageSize));
  }

  @Authorized(Role.VIEWER)
  @Query(() => Leaderboard, {
    description:
      'Best result per model on a metric: an evaluation benchmark (mmlu, humaneval, …) or a serving metric ' +
      '(throughput_tokens_per_second, ttft_p50_ms, ttft_p99_ms, latency_p50_ms, latency_p99_ms). Without `provenance` ' +
      'it ranks MEASURED and REPORTED results (each entry says which); RECORDED ones (typed in by hand) only when asked for.',
  })
  async leaderboard(
    @Ctx() ctx: GraphQLContext,
    @Arg('metric', () => String) metric: string,
    @Arg('architecture', () => String, { nullable: true }) architecture: string | null,
    @Arg('maxParams', () => BigIntScalar, { nullable: true }) maxParams: bigint | null,
    @Arg('hardwareProfile', () => String, { nullable: true }) hardwareProfile: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number,
    @Arg('minParams', () => BigIntScalar, { nullable: true }) minParams: bigint | null,
    @Arg('provenance', () => Provenance, { nullable: true, description: PROVENANCE_FILTER }) provenance: Provenance | null,
    @Arg('tags', () => [String], { nullable: true, description: 'Models carrying every one of these tags (at most 20).' }) tags: string[] | null,
    @Arg('maxTtftP99Ms', () => Float, { nullable: true, description: 'Serving metrics: only runs with P99 TTFT under this bound.' }) maxTtftP99Ms: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The pageInfo.endCursor (or an entry cursor) of the previous page.' }) after: string | null,
  ): Promise<Leaderboard> {
    const board = await ctx.services.leaderboard.leaderboard(callerOf(ctx), {
      metric,
      architecture,
      maxParams,
      minParams,
      provenance,
      tags,
      maxTtftP99Ms,
      hardwareProfile,
      first: pageSize(first, ctx.limits.maxPageSize),
      after,
    });
    return {
      metric: board.metric.name,
      direction: board.metric.direction,
      entries: board.entries.map(({ rank, entry, cursor }) => ({ rank, cursor, ...entry })),
      pageInfo: { hasNextPage: board.hasNextPage, endCursor: board.entries.at(-1)?.cursor ?? null },
    };
  }

  @Authorized(Role.VIEWER)
  @Query(() => ParetoFront, {
    description:
      'The models no other model beats on both a quality metric (mmlu, humaneval, …) and a performance metric ' +
      '(throughput_tokens_per_second, ttft_p99_ms, …), each model at its best, on `hardwareProfile` when given.',
  })
  async paretoFront(
    @Ctx() ctx: GraphQLContext,
    @Arg('qualityMetric', () => String) qualityMetric: string,
    @Arg('performanceMetric', () => String) performanceMetric: string,
    @Arg('hardwareProfile', () => String, { nullable: true }) hardwareProfile: string | null,
    @Arg('provenance', () => Provenance, { nullable: true, description: PROVENANCE_FILTER }) provenance: Provenance | null,
    @Arg('architecture', () => String, { nullable: true }) architecture: string | null,
    @Arg('minParams', () => BigIntScalar, { nullable: true }) minParams: bigint | null,
    @Arg('maxParams', () => BigIntScalar, { nullable: true }) maxParams: bigint | null,
    @Arg('tags', () => [String], { nullable: true, description: 'Models carrying every one of these tags (at most 20).' }) tags: string[] | null,
    @Arg('maxTtftP99Ms', () => Float, { nullable: true, description: 'Performance side: only runs with P99 TTFT under this bound.' }) maxTtftP99Ms: number | null,
  ): Promise<ParetoFront> {
    const front = await ctx.services.leaderboard.paretoFront(callerOf(ctx), qualityMetric, performanceMetric, {
      hardwareProfile, provenance, architecture, minParams, maxParams, tags, maxTtftP99Ms,
    });
    return {
      qualityMetric: front.quality.name,
      performanceMetric: front.performance.name,
      points: front.points.map((p) => ({ ...p, versionId: p.qualityVersionId })),
    };
  }

  // EDITOR somewhere lets the call through; the service wants EDITOR in the version's own project.
  @Authorized(Role.EDITOR)
  @Mutation(() => Benchmark, {
    description:
      'Records serving figures of a version measured elsewhere, by hand: stored as RECORDED (with who recorded it, ' +
      'audited), never MEASURED, so it is not evidence for a promotion gate that counts only MEASURED runs.',
  })
  recordBenchmark(@Ctx() ctx: GraphQLContext, @Arg('input', () => RecordBenchmarkInput) input: RecordBenchmarkInput) {
    const { versionId, ...measured } = input;
    return ctx.services.measurements.recordBenchmark(callerOf(ctx), versionId, measured);
  }

  // EDITOR somewhere lets the call through; the service wants EDITOR in the version's own project.
  @Authorized(Role.EDITOR)
  @Mutation(() => Evaluation, {
    description:
      'Records an evaluation score of a version by hand: stored as RECORDED (with who recorded it, audited), never ' +
      "MEASURED. The score must lie in its metric's range: [0, 1] unless the metric or evaluation is listed with " +
      'another (perplexity [1, ∞), bits_per_byte [0, ∞), mt_bench and rating [1, 10], Elo unbounded); BAD_USER_INPUT otherwise.',
  })
  recordEvaluation(@Ctx() ctx: GraphQLContext, @Arg('input', () => RecordEvaluationInput) input: RecordEvaluationInput) {
    const { versionId, ...scored } = input;
    return ctx.services.measurements.recordEvaluation(callerOf(ctx), versionId, scored);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Where the raw per-request samples of a measured run are downloaded (GET with the same bearer token; gzip\'d JSON); null for rows recorded by hand.',
  })
  samplesPath(@Root() row: Benchmark): string | null {
    return row.operationId ? `/benchmarks/${row.id}/samples` : null;
  }

  @FieldResolver(() => Model)
  model(@Root() row: BenchmarkRecord, @Ctx() ctx: GraphQLContext) {
    return modelOf(row, ctx);
  }

  @FieldResolver(() => Version)
  version(@Root() row: BenchmarkRecord, @Ctx() ctx: GraphQLContext) {
    return versionOf(row, ctx);
  }
}

@Resolver(() => Evaluation)
export class EvaluationResolver {
  @FieldResolver(() => Model)
  model(@Root() row: EvaluationRecord, @Ctx() ctx: GraphQLContext) {
    return modelOf(row, ctx);
  }

  @FieldResolver(() => Version)
  version(@Root() row: EvaluationRecord, @Ctx() ctx: GraphQLContext) {
    return versionOf(row, ctx);
  }
}

@Resolver(() => LeaderboardEntry)
export class LeaderboardEntryResolver {
  @FieldResolver(() => Model)
  model(@Root() row: LeaderboardEntry, @Ctx() ctx: GraphQLContext) {
    return modelOf(row, ctx);
  }

  @FieldResolver(() => Version)
  version(@Root() row: LeaderboardEntry, @Ctx() ctx: GraphQLContext) {
    return versionOf(row, ctx);
  }
}

@Resolver(() => ParetoPoint)
export class ParetoPointResolver {
  @FieldResolver(() => Model)
  model(@Root() row: ParetoPoint, @Ctx() ctx: GraphQLContext) {
    return modelOf(row, ctx);
  }
}

async function modelOf(row: Measured, ctx: GraphQLContext) {
  const model = await ctx.loaders.modelById.load(row.modelId);
  if (!model) throw new Error(`model ${row.modelId} vanished`); // rows cascade with their model
  return model;
}

async function versionOf(row: Measured, ctx: GraphQLContext) {
  const version = await ctx.loaders.versionById.load(row.versionId);
  if (!version) throw new Error(`version ${row.versionId} vanished`);
  return version;
}
