import { ConfigError, type Env, intVar, optional } from './env-vars';

export interface ObservabilityConfig {
  readonly metrics: {
    /**
     * METRICS_TOKEN: when set, /metrics (API and worker) answers only `Authorization: Bearer <token>`; when unset,
     * only clients on loopback. Either way it is never open to the network by accident.
     */
    readonly token: string | null;
    /** WORKER_METRICS_PORT: the standalone worker's own /metrics listener (0 = none); `npm run dev` serves all on the API's. */
    readonly workerPort: number;
  };
  readonly tracing: {
    /** OTEL_TRACES: `off` (default: no OpenTelemetry SDK is loaded at all) or `otlp`. */
    readonly exporter: 'off' | 'otlp';
    /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (OTLP over HTTP/protobuf-JSON). */
    readonly endpoint: string;
    /** OTEL_SERVICE_NAME, default modelhub (the worker adds `-worker`). */
    readonly serviceName: string;
  };
}

export function loadObservabilityConfig(env: Env): ObservabilityConfig {
  const token = optional(env, 'METRICS_TOKEN');
  if (token !== null && token.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  const exporter = (optional(env, 'OTEL_TRACES') ?? 'off').toLowerCase();
  if (exporter !== 'off' && exporter !== 'otlp') throw new ConfigError(`OTEL_TRACES must be "off" or "otlp", got ${JSON.stringify(exporter.slice(0, 40))}`);
  const base = (optional(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  return {
    metrics: { token, workerPort: intVar(env, 'WORKER_METRICS_PORT', 9464, 0, 65535) },
    tracing: {
      exporter,
      endpoint: optional(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? `${base}/v1/traces`,
      serviceName: optional(env, 'OTEL_SERVICE_NAME') ?? 'modelhub',
    },
  };
}
