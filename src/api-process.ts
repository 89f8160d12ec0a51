import type { Logger } from 'pino';
import type { Config } from './config/config';
import { serveSubgraph } from './http/serve';
import { initTracing } from './observability/tracing-switch';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';

/** One API process: the subgraph on the configured port until SIGTERM/SIGINT (alone, or one of API_PROCESSES). */
export async function runApiProcess(config: Config, log: Logger): Promise<void> {
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
