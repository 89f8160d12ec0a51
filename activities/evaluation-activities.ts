import { ApplicationFailure, Context } from '@temporalio/activity';
import { systemCaller } from '../src/domain/auth/caller';
import { firstJudgeTask } from '../src/domain/evaluation/eval-suite';
import type { DatasetSources } from '../src/evaluation/dataset-reader';
import { HarnessFailedError, HarnessUnavailableError } from '../src/evaluation/lm-eval-runner';
import { runSuite, RUNNER } from '../src/evaluation/suite-runner';
import type { EvaluationRunService } from '../src/services/evaluation-run.service';
import type { MeasuredRunService, RunIds } from '../src/services/measured-run.service';
import { failFast } from './activity-failures';

export interface EvaluationActivityDeps {
  measuredRuns: MeasuredRunService;
  evaluationRuns: EvaluationRunService;
  evalDatasets: DatasetSources;
}

// Often, so a cancel (answered to a heartbeat, sent at most every 500 ms by the worker) stops the suite quickly.
const HEARTBEAT_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 500;

/** The whole suite in one activity (scores are small; completions never pass through workflow history). */
export function createEvaluationActivities({ measuredRuns, evaluationRuns, evalDatasets }: EvaluationActivityDeps) {
  // ModelHub carries out a run an editor was allowed to start (checked when it was asked for).
  const system = systemCaller('evaluation-run');
  return {
    runEvaluationSuite(ids: RunIds): Promise<string> {
      const ctx = Context.current();
      return failFast(async () => {
        ctx.log.info('evaluation run acting as the system', { reason: system.reason, operationId: ids.operationId });
        const plan = await evaluationRuns.plan(system, ids.operationId);
        if (!plan) return 'already settled';
        const target = measuredRuns.openTarget(plan.target);
        // Checked before any request: a worker without the judge fails the run at once (BAD_USER_INPUT, not retried).
        const judge = firstJudgeTask(plan.suite) >= 0 ? await evaluationRuns.judgeEndpoint() : null;
        const resources = { datasets: evalDatasets, judge, lmEval: evaluationRuns.settings.lmEval };
        const tasks = plan.suite.tasks.length;
        const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
        let last = 0;
        let pending: Promise<void> = Promise.resolve();
        try {
          ctx.heartbeat();
          await measuredRuns.progress(system, ids.operationId, 0, `task 1/${tasks}`, plan.suite.tasks[0].name);
          const scores = await harnessVerdicts(() => runSuite(target, plan.suite, resources, ctx.cancellationSignal, (task, done, total) => {
            if (Date.now() - last < PROGRESS_EVERY_MS && done < total) return;
            last = Date.now();
            const step = `task ${task + 1}/${tasks}`;
            pending = pending.then(() => measuredRuns.progress(system, ids.operationId, (task + done / total) / tasks, step, `${plan.suite.tasks[task].name}: ${done}/${total}`)).catch(() => undefined);
          }));
          await pending;
          return (await evaluationRuns.complete(system, ids, plan, scores, RUNNER)) ? 'scored' : 'already settled';
        } finally {
          clearInterval(timer);
        }
      });
    },

    failEvaluation(ids: RunIds, code: string, message: string): Promise<void> {
      return measuredRuns.fail(system, ids, code, message);
    },

    cancelEvaluation(ids: RunIds): Promise<void> {
      return measuredRuns.cancelled(system, ids);
    },
  };
}

/** lm_eval missing or failing on this worker is a verdict for the run: another attempt here would fail the same way. */
async function harnessVerdicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HarnessUnavailableError) throw ApplicationFailure.nonRetryable(error.message, 'LM_EVAL_NOT_INSTALLED');
    if (error instanceof HarnessFailedError) throw ApplicationFailure.nonRetryable(error.message, 'LM_EVAL_FAILED');
    throw error;
  }
}
