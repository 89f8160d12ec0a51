import { Context } from '@temporalio/activity';
import { type LevelResult, runSweep, type LoadScenario } from '../src/benchmarking/load-sweep';
import { encodeSamplesAsync } from '../src/benchmarking/sample-codec';
import { systemCaller } from '../src/domain/auth/caller';
import { ValidationError } from '../src/domain/common/domain-error';
import type { BenchmarkRunService } from '../src/services/benchmark-run.service';
import type { MeasuredRunService, RunIds } from '../src/services/measured-run.service';
import { failFast } from './activity-failures';

export interface BenchmarkActivityDeps {
  measuredRuns: MeasuredRunService;
  benchmarkRuns: BenchmarkRunService;
}

// Often, so a cancel (answered to a heartbeat, sent at most every 500 ms by the worker) stops the load quickly.
const HEARTBEAT_EVERY_MS = 250;
// Progress rows (and their NOTIFY) at most this often: a sweep finishes hundreds of requests a second.
const PROGRESS_EVERY_MS = 500;

/**
 * The sweep runs inside one activity: its samples never pass through workflow history (they can be megabytes).
 * Heartbeats come from a timer, so a cancel reaches the activity within the heartbeat throttle, and its
 * cancellation signal aborts every request in flight at once.
 */
export function createBenchmarkActivities({ measuredRuns, benchmarkRuns }: BenchmarkActivityDeps) {
  // ModelHub carries out a run an editor was allowed to start (checked when it was asked for).
  const system = systemCaller('benchmark-run');
  return {
    runBenchmarkLoad(ids: RunIds): Promise<string> {
      const ctx = Context.current();
      return failFast(async () => {
        ctx.log.info('benchmark run acting as the system', { reason: system.reason, operationId: ids.operationId });
        const plan = await benchmarkRuns.plan(system, ids.operationId);
        if (!plan) return 'already settled';
        const target = measuredRuns.openTarget(plan.target);
        const scenario: LoadScenario = { ...plan.scenario };
        const levelCount = (scenario.requestRates ?? scenario.concurrencies ?? [1]).length;
        await measuredRuns.progress(system, ids.operationId, 0, `level 1/${levelCount}`, 'warming up');
        const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
        let lastReport = 0;
        let pending: Promise<void> = Promise.resolve();
        try {
          ctx.heartbeat();
          const results = await runSweep(target, scenario, ctx.cancellationSignal, (p) => {
            const now = Date.now();
            if (now - lastReport < PROGRESS_EVERY_MS) return;
            lastReport = now;
            // Reports are chained, never awaited here: the load must not wait on the database.
            pending = pending.then(() => measuredRuns.progress(system, ids.operationId, (p.level + p.fraction) / p.levels, `level ${p.level + 1}/${p.levels}`, `${p.done} requests measured`)).catch(() => undefined);
          });
          await pending;
          redactKey(results, target.apiKey ?? null);
          if (results.every((r) => r.metrics.requests > 0 && r.metrics.errors === r.metrics.requests)) {
            const first = results[0]?.samples.find((s) => s.error)?.error ?? 'no request completed';
            throw new ValidationError('target', `every request to the endpoint failed: ${first}`);
          }
          const samples = await encodeSamplesAsync(results.map((r) => ({ concurrency: r.metrics.concurrency, requestRate: r.requestRate, samples: r.samples })));
          const outcome = { levels: results.map((r) => r.metrics), requestRates: results.map((r) => r.requestRate), samples };
          const settled = await benchmarkRuns.complete(system, ids, plan, outcome, 'benchmark-runner');
          return settled ? 'measured' : 'already settled';
        } finally {
          clearInterval(timer);
        }
      });
    },

    failBenchmark(ids: RunIds, code: string, message: string): Promise<void> {
      return measuredRuns.fail(system, ids, code, message);
    },

    cancelBenchmark(ids: RunIds): Promise<void> {
      return measuredRuns.cancelled(system, ids);
    },
  };
}

/**
 * A server may echo the key back in an error body (a proxy's "invalid key sk-…"): sample errors are stored with the
 * results and the first one becomes the operation's message, which every viewer reads, so the key never stays in them.
 */
function redactKey(results: LevelResult[], key: string | null): void {
  if (!key) return;
  for (const { samples } of results) {
    for (const sample of samples) if (sample.error?.includes(key)) sample.error = sample.error.split(key).join('[api key]');
  }
}
