import { type StoredTarget, type TargetInput, validateTarget } from '../domain/benchmarking/benchmark-request';
import { type EvalSuite, type EvalTaskInput, validateSuite } from '../domain/evaluation/eval-suite';
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
}

/** runEvaluation: validates and records intent; the worker scores the suite and settles it here. */
export class EvaluationRunService {
  constructor(private readonly runs: MeasuredRunService) {}

  async requestEvaluation(versionId: string, target: TargetInput, suite: { name: string; tasks: EvalTaskInput[] }, actor: string): Promise<OperationRecord> {
    const plan: EvaluationPlan = { target: await this.runs.sealTarget(validateTarget(target)), suite: validateSuite(suite) };
    return this.runs.request(OperationKind.EVALUATION, versionId, { ...plan }, actor);
  }

  async plan(operationId: string): Promise<EvaluationPlan | null> {
    const operation = await this.runs.plan(operationId);
    return operation ? (operation.input as unknown as EvaluationPlan) : null;
  }

  /** One MEASURED evaluation row per task, and the operation settled, in one transaction. */
  complete(ids: RunIds, plan: EvaluationPlan, results: TaskResult[], runner: { name: string; version: string }): Promise<boolean> {
    const message = results.map((r) => `${r.task} ${r.metric} ${r.score.toFixed(3)} (n=${r.n})`).join('; ');
    return this.runs.settle(ids, message, async (tx) => {
      const repo = tx.getRepository(EvaluationEntity);
      for (const r of results) {
        await repo.save(
          repo.create({
            modelId: ids.modelId,
            versionId: ids.versionId,
            operationId: ids.operationId,
            provenance: 'MEASURED',
            benchmark: r.task,
            score: r.score,
            numShots: 0,
            details: { ...r.details, endpointModel: plan.target.model },
            suite: plan.suite.name,
            task: r.task,
            metric: r.metric,
            n: r.n,
            stderr: r.stderr,
            datasetVersion: r.datasetVersion,
            runner: runner.name,
            runnerVersion: runner.version,
            recordedBy: 'evaluation-runner',
            recordedAt: new Date(),
          }),
        );
      }
    });
  }
}
