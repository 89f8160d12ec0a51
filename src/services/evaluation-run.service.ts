import type { JudgeEndpoint } from '../evaluation/judge-task';
import type { EvalConfig } from '../config/eval-config';
import type { Caller } from '../domain/auth/caller';
import { type StoredTarget, type TargetInput, validateTarget } from '../domain/benchmarking/benchmark-request';
import { Provenance } from '../domain/catalog/catalog-enums';
import { ValidationError } from '../domain/common/domain-error';
import { checkHarnessTarget, type EvalSuite, type EvalTaskInput, firstJudgeTask, validateSuite } from '../domain/evaluation/eval-suite';
import { OperationKind, type OperationRecord } from '../domain/onboarding/operation';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import type { MeasuredRunService, RunIds } from './measured-run.service';

/** What an EVALUATION operation row holds: the target with its key sealed, and the suite. */
export interface EvaluationPlan {
  target: StoredTarget;
  suite: EvalSuite;
}

export interface TaskResult {
  task: string;
  metric: string;
  score: number;
  n: number;
  stderr: number | null;
  datasetVersion: string;
  details: Record<string, unknown>;
  /** Another runner than the run's default (lm-evaluation-harness tasks). */
  runner?: { name: string; version: string };
  numShots?: number | null;
}

const NO_EVAL_CONFIG: EvalConfig = { judge: null, lmEval: { bin: 'lm_eval', includePath: null, concurrency: 4, env: {} } };

/** runEvaluation: validates and records intent; the worker scores the suite and settles it here. */
export class EvaluationRunService {
  constructor(
    private readonly runs: MeasuredRunService,
    /** The judge endpoint and harness settings; the API reads the judge's, the worker all of them. */
    readonly settings: EvalConfig = NO_EVAL_CONFIG,
  ) {}

  async requestEvaluation(caller: Caller, versionId: string, target: TargetInput, suite: { name: string; tasks: EvalTaskInput[] }): Promise<OperationRecord> {
    await this.runs.authorizeRequest(caller, OperationKind.EVALUATION, versionId);
    const validSuite = validateSuite(suite);
    const judged = firstJudgeTask(validSuite);
    // API and worker read the same EVAL_JUDGE_* settings: a suite no worker could judge is refused before it is recorded.
    if (judged >= 0) await this.judgeEndpoint(`suite.tasks[${judged}].kind`);
    // No sandbox check here: the API's host (the subgraph image has neither python3 nor bwrap) says nothing of the
    // workers'. The worker refuses a CODE suite before its first request when its own sandbox cannot start.
    const validTarget = validateTarget(target);
    checkHarnessTarget(validSuite, validTarget);
    const plan: EvaluationPlan = { target: await this.runs.sealTarget(validTarget), suite: validSuite };
    return this.runs.request(caller, OperationKind.EVALUATION, versionId, { ...plan });
  }

  /** The configured judge, its address checked like a target's (URL_IMPORT_ALLOW); a ValidationError otherwise. */
  async judgeEndpoint(field = 'judge'): Promise<JudgeEndpoint> {
    const judge = this.settings.judge;
    if (!judge) throw new ValidationError(field, 'JUDGE tasks need a judge endpoint configured on the server (EVAL_JUDGE_URL and EVAL_JUDGE_MODEL); none is');
    try {
      await this.runs.checkEndpoint(judge.url);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(field, 'the configured judge endpoint (EVAL_JUDGE_URL) is refused by the address policy (URL_IMPORT_ALLOW)');
      throw error;
    }
    return { baseUrl: judge.url, model: judge.model, apiKey: judge.apiKey, policy: this.runs.connectionPolicy() };
  }

  async plan(caller: Caller, operationId: string): Promise<EvaluationPlan | null> {
    const operation = await this.runs.plan(caller, operationId);
    return operation ? (operation.input as unknown as EvaluationPlan) : null;
  }

  /** One MEASURED evaluation row per task, and the operation settled, in one transaction. */
  complete(caller: Caller, ids: RunIds, plan: EvaluationPlan, results: TaskResult[], runner: { name: string; version: string }): Promise<boolean> {
    const message = results.map((r) => `${r.task} ${r.metric} ${r.score.toFixed(3)} (n=${r.n})`).join('; ');
    return this.runs.settle(caller, ids, message, async (tx) => {
      const repo = tx.getRepository(EvaluationEntity);
      for (const r of results) {
        await repo.save(
          repo.create({
            modelId: ids.modelId,
            versionId: ids.versionId,
            operationId: ids.operationId,
            provenance: Provenance.MEASURED,
            benchmark: r.task,
            score: r.score,
            numShots: r.numShots ?? 0,
            details: { ...r.details, endpointModel: plan.target.model },
            suite: plan.suite.name,
            task: r.task,
            metric: r.metric,
            n: r.n,
            stderr: r.stderr,
            datasetVersion: r.datasetVersion,
            runner: (r.runner ?? runner).name,
            runnerVersion: (r.runner ?? runner).version,
            recordedBy: 'evaluation-runner',
            recordedAt: new Date(),
          }),
        );
      }
    });
  }
}
