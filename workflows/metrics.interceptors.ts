import {
  ContinueAsNew,
  isCancellation,
  proxySinks,
  type Sinks,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  workflowInfo,
} from '@temporalio/workflow';

/** How a workflow run ended, as the worker's metrics count it. */
export type WorkflowOutcome = 'completed' | 'failed' | 'cancelled' | 'continued_as_new';

/** Implemented by the worker (src/observability/worker-observability.ts): sinks are the sandbox's only way out. */
export interface WorkflowMetricsSinks extends Sinks {
  workflowMetrics: { closed(outcome: WorkflowOutcome, durationMs: number): void };
}

const { workflowMetrics } = proxySinks<WorkflowMetricsSinks>();

/**
 * Reports each run's close to the worker's metrics: duration from the run's start (workflow time, deterministic)
 * and its outcome. Sinks are not called while replaying, so a run is counted once, by the worker that closes it.
 * It adds no command: histories recorded without it replay unchanged.
 */
class MetricsInbound implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: (input: WorkflowExecuteInput) => Promise<unknown>): Promise<unknown> {
    const elapsed = () => Math.max(0, Date.now() - workflowInfo().runStartTime.getTime());
    try {
      const result = await next(input);
      workflowMetrics.closed('completed', elapsed());
      return result;
    } catch (error) {
      workflowMetrics.closed(error instanceof ContinueAsNew ? 'continued_as_new' : isCancellation(error) ? 'cancelled' : 'failed', elapsed());
      throw error;
    }
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new MetricsInbound()] });
