import type { ObservabilityConfig } from '../config/observability-config';
import { setActiveTracing, type TracingHooks } from './tracing-state';

/**
 * OTEL_TRACES=otlp: loads the OpenTelemetry SDK and exports spans over OTLP/HTTP. Off (the default): returns null
 * having loaded nothing of it, so no context manager or async hook is installed and the read path pays nothing.
 */
export function initTracing(tracing: ObservabilityConfig['tracing'], service: string): TracingHooks | null {
  if (tracing.exporter === 'off') return null;
  /* eslint-disable @typescript-eslint/no-require-imports -- required here, only when tracing is on: a static import would load the SDK always */
  const { startTracing } = require('./tracing') as typeof import('./tracing');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const hooks = startTracing({ serviceName: service, exporter: new OTLPTraceExporter({ url: tracing.endpoint }), batch: true });
  setActiveTracing(hooks);
  return hooks;
}
