import { context, createContextKey, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { RequestHandler } from 'express';
import type { TracingHooks } from './tracing-state';

/**
 * The OpenTelemetry SDK, loaded only when tracing is on (src/observability/tracing-switch.ts requires this file
 * then, and only then): registering the provider installs the AsyncLocalStorage context manager the spans need.
 */
const REQUEST_ID = createContextKey('modelhub.request_id');

export interface TracingOptions {
  serviceName: string;
  exporter: SpanExporter;
  /** Batch spans (OTLP); tests export each span at once. */
  batch: boolean;
}

export function startTracing(options: TracingOptions): TracingHooks {
  const resource = new Resource({ 'service.name': options.serviceName });
  const processor = options.batch ? new BatchSpanProcessor(options.exporter) : new SimpleSpanProcessor(options.exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The AsyncLocalStorage context manager and the W3C trace-context propagator Temporal's interceptors inject with.
  provider.register();
  const tracer = trace.getTracer('modelhub');

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const requestId = String(res.locals.requestId ?? '');
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      `${req.method} ${req.baseUrl || req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path, 'modelhub.request_id': requestId } },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span).setValue(REQUEST_ID, requestId), next);
  };

  return {
    httpMiddleware,
    nameRequest(operation) {
      const span = trace.getActiveSpan();
      if (!span) return;
      span.updateName(operation);
      const [type, field] = operation.split(' ');
      span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': field ?? '' });
    },
    clientInterceptors: [new OpenTelemetryWorkflowClientInterceptor({ tracer })],
    activityInterceptors: [
      (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    ],
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    logFields() {
      const active = context.active();
      const span = trace.getSpan(active)?.spanContext();
      const requestId = active.getValue(REQUEST_ID);
      return {
        ...(span ? { traceId: span.traceId, spanId: span.spanId } : {}),
        ...(typeof requestId === 'string' && requestId ? { requestId } : {}),
      };
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
