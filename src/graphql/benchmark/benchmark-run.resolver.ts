import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { Role } from '../../domain/auth/roles';
import type { OperationRecord } from '../../domain/onboarding/operation';
import type { GraphQLContext } from '../context';
import { callerOf } from '../governance/governance-access';
import { Operation } from '../operation/operation.type';
import { RunBenchmarkInput, RunEvaluationInput } from './benchmark-run.input';

// `@Authorized(Role.EDITOR)`: an editor somewhere reaches these; the service wants EDITOR in the version's project.
@Resolver()
export class BenchmarkRunResolver {
  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, {
    description:
      'Benchmarks a verified (or evaluated, published) version served at an OpenAI-compatible endpoint: a sweep of ' +
      'concurrency levels or request rates through Temporal, progress on the BENCHMARK operation; cancelOperation stops ' +
      'the load. One run per version at a time: a repeated request returns the running operation.',
  })
  runBenchmark(@Ctx() ctx: GraphQLContext, @Arg('input', () => RunBenchmarkInput) input: RunBenchmarkInput): Promise<OperationRecord> {
    return ctx.services.benchmarkRuns.requestBenchmark(callerOf(ctx), input.versionId, input.target, input.profile, input.scenario);
  }

  @Authorized(Role.EDITOR)
  @Mutation(() => Operation, {
    description:
      'Evaluates a verified (or evaluated, published) version served at an OpenAI-compatible endpoint with built-in tasks ' +
      'over JSONL datasets, LLM-as-judge (JUDGE) tasks and lm-evaluation-harness (LM_EVAL) tasks, through Temporal; each ' +
      'task becomes a MEASURED Evaluation. A suite with JUDGE tasks is refused (BAD_USER_INPUT) when no judge endpoint is ' +
      'configured. cancelOperation stops it.',
  })
  runEvaluation(@Ctx() ctx: GraphQLContext, @Arg('input', () => RunEvaluationInput) input: RunEvaluationInput): Promise<OperationRecord> {
    return ctx.services.evaluationRuns.requestEvaluation(callerOf(ctx), input.versionId, input.target, input.suite);
  }
}
