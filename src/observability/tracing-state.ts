import type { RequestHandler } from 'express';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';

/**
 * What the rest of the code asks of tracing, with no OpenTelemetry import: this file is loaded whether tracing is
 * on or not, src/observability/tracing.ts (the SDK) only when it is on.
 */
export interface TracingHooks {
  /** Starts the request's server span and runs the rest of the request inside its context. */
  readonly httpMiddleware: RequestHandler;
  /** Names the request's span after its GraphQL operation once it is known. */
  nameRequest(operation: string): void;
  readonly clientInterceptors: WorkflowClientInterceptor[];
  readonly activityInterceptors: ActivityInterceptorsFactory[];
  /** The workflow span exporter sink (spans made in the sandbox leave through it). */
  readonly sinks: NonNullable<WorkerOptions['sinks']>;
  /** Trace and span id (and the request id) of the active context, for log lines. */
  logFields(): Record<string, string>;
  shutdown(): Promise<void>;
}

let active: TracingHooks | null = null;

/** Tracing of this process, or null (the default: OTEL_TRACES unset or off). */
export function activeTracing(): TracingHooks | null {
  return active;
}

export function setActiveTracing(hooks: TracingHooks | null): void {
  active = hooks;
}

/** pino's mixin: every line logged inside a traced context carries its trace id, span id and request id. */
export function traceLogFields(): Record<string, string> {
  return active ? active.logFields() : {};
}
