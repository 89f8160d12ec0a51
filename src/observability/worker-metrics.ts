import { CancelledFailure, type Context as ActivityContext } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, InjectedSinks, Next } from '@temporalio/worker';
import type { WorkflowMetricsSinks } from '../../workflows/metrics.interceptors';
import { metrics } from './metrics';

/** Each activity attempt's duration and outcome, around its execution (nothing inside an activity is wrapped). */
class ActivityMetricsInbound implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const started = process.hrtime.bigint();
    const activityType = this.ctx.info.activityType;
    const observe = (outcome: string) => metrics.activityDuration.observe({ activity_type: activityType, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    try {
      const result = await next(input);
      observe('completed');
      return result;
    } catch (error) {
      observe(error instanceof CancelledFailure || this.ctx.cancellationSignal.aborted ? 'cancelled' : 'failed');
      throw error;
    }
  }
}

export const activityMetricsInterceptor: ActivityInterceptorsFactory = (ctx) => ({ inbound: new ActivityMetricsInbound(ctx) });

/** Where workflows/metrics.interceptors.ts reports a run's close (sinks are not called during replay). */
export const workflowMetricsSinks: InjectedSinks<WorkflowMetricsSinks> = {
  workflowMetrics: {
    closed: {
      fn: (info, outcome, durationMs) => metrics.workflowDuration.observe({ workflow_type: info.workflowType, outcome }, durationMs / 1000),
      callDuringReplay: false,
    },
  },
};
