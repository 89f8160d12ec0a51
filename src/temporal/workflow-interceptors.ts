/**
 * Workflow interceptor modules bundled with the workflows: the metrics one always (it adds no command, so recorded
 * histories replay unchanged), OpenTelemetry's when tracing is on. A prebuilt bundle must be built with the same list.
 */
export function workflowInterceptorModules(tracing: boolean): string[] {
  return [
    require.resolve('../../workflows/metrics.interceptors'),
    ...(tracing ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : []),
  ];
}
