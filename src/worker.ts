import 'reflect-metadata';
import { loadConfig } from './config/config';
import { listenForMetrics } from './observability/metrics-endpoint';
import { createLogger } from './config/logger';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';
import { initTracing } from './observability/tracing-switch';
import { reportStartupFailure } from './startup-failure';
import { installTemporalLogging } from './temporal/temporal-logging';
import { startWorker } from './worker-runner';

/** The Temporal worker alone: runs import, local-cache and blob-collector workflows and their activities. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'modelhub-worker');
  const tracing = initTracing(config.observability.tracing, `${config.observability.tracing.serviceName}-worker`);
  if (tracing) log.info({ endpoint: config.observability.tracing.endpoint }, 'OpenTelemetry traces exported over OTLP');
  installTemporalLogging(log);
  // The worker has no HTTP server of its own: its workflow and activity metrics get a listener (WORKER_METRICS_PORT).
  // Bound before the worker polls: a port already taken ends the process before it has taken any task, rather than
  // after it has taken one that then waits out its timeout (seen with two workers on one host, both on 9464).
  const { workerPort, token } = config.observability.metrics;
  const metricsListener = workerPort > 0 ? await listenForMetrics(config.host, workerPort, token) : null;
  if (metricsListener) log.info({ url: metricsListener.url }, 'worker metrics listening');
  const runtime = await openRuntime(config, log);
  const worker = await startWorker(runtime, log);
  onShutdown(log, config.shutdownTimeoutMs, [
    { name: 'worker drain (activities handed back)', run: () => worker.stop() },
    { name: 'metrics listener', run: async () => metricsListener?.close() },
    { name: 'database and Temporal connections', run: () => runtime.close() },
    { name: 'trace export flush', run: async () => tracing?.shutdown() },
  ]);
  await worker.done;
}

main().catch(reportStartupFailure);
