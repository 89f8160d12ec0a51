import { Context } from '@temporalio/activity';
import { runSuite, RUNNER } from '../src/evaluation/suite-runner';
import type { EvaluationRunService } from '../src/services/evaluation-run.service';
import type { MeasuredRunService, RunIds } from '../src/services/measured-run.service';
import { failFast } from './activity-failures';

export interface EvaluationActivityDeps {
  measuredRuns: MeasuredRunService;
  evaluationRuns: EvaluationRunService;
  evalDatasetsDir: string;
}

const HEARTBEAT_EVERY_MS = 1000;
const PROGRESS_EVERY_MS = 500;

/** The whole suite in one activity (scores are small; completions never pass through workflow history). */
export function createEvaluationActivities({ measuredRuns, evaluationRuns, evalDatasetsDir }: EvaluationActivityDeps) {
  return {
    runEvaluationSuite(ids: RunIds): Promise<string> {
      const ctx = Context.current();
      return failFast(async () => {
        const plan = await evaluationRuns.plan(ids.operationId);
        if (!plan) return 'already settled';
        const target = measuredRuns.openTarget(plan.target);
        const tasks = plan.suite.tasks.length;
        const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
        let last = 0;
        let pending: Promise<void> = Promise.resolve();
        try {
          ctx.heartbeat();
          await measuredRuns.progress(ids.operationId, 0, `task 1/${tasks}`, plan.suite.tasks[0].name);
          const scores = await runSuite(target, plan.suite, evalDatasetsDir, ctx.cancellationSignal, (task, done, total) => {
            if (Date.now() - last < PROGRESS_EVERY_MS && done < total) return;
            last = Date.now();
            const step = `task ${task + 1}/${tasks}`;
            pending = pending.then(() => measuredRuns.progress(ids.operationId, (task + done / total) / tasks, step, `${plan.suite.tasks[task].name}: ${done}/${total}`)).catch(() => undefined);
          });
          await pending;
          return (await evaluationRuns.complete(ids, plan, scores, RUNNER)) ? 'scored' : 'already settled';
        } finally {
          clearInterval(timer);
        }
      });
    },

    failEvaluation(ids: RunIds, code: string, message: string): Promise<void> {
      return measuredRuns.fail(ids, code, message);
    },

    cancelEvaluation(ids: RunIds): Promise<void> {
      return measuredRuns.cancelled(ids);
    },
  };
}
