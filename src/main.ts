import 'reflect-metadata';
import cluster from 'node:cluster';
import { runApiCluster } from './api-cluster';
import { loadConfig } from './config/config';
import { createLogger } from './config/logger';
import { serveSubgraph } from './http/serve';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';
import { initTracing } from './observability/tracing-switch';
import { reportStartupFailure } from './startup-failure';

/**
 * The subgraph alone (production: the worker runs as its own process, `node dist/src/worker.js`). With
 * API_PROCESSES > 1 this process becomes the cluster primary (src/api-cluster.ts) and each forked API process runs
 * the rest of this function on the shared port.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  if (config.apiProcesses > 1 && cluster.isPrimary) return runApiCluster(config, log);
  const tracing = initTracing(config.observability.tracing, config.observability.tracing.serviceName);
  if (tracing) log.info({ endpoint: config.observability.tracing.endpoint }, 'OpenTelemetry traces exported over OTLP');
  if (config.auth.usingDevSecret) log.warn('JWT_SECRET is unset: using the local development secret (npm run token)');
  const runtime = await openRuntime(config, log);
  const app = await serveSubgraph(runtime, log);
  onShutdown(log, config.shutdownTimeoutMs, [
    { name: 'HTTP and WebSocket drain', run: () => app.stop() },
    { name: 'database and Temporal connections', run: () => runtime.close() },
    { name: 'trace export flush', run: async () => tracing?.shutdown() },
  ]);
}

main().catch(reportStartupFailure);
