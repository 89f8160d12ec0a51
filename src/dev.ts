import 'reflect-metadata';
import { type Config, loadConfig } from './config/config';
import type { ClamdConfig } from './config/scan-config';
import { createLogger } from './config/logger';
import { printDevBanner } from './dev-banner';
import { serveSubgraph } from './http/serve';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';
import { initTracing } from './observability/tracing-switch';
import { reportStartupFailure } from './startup-failure';
import { type DevClamd, startDevClamd } from './system/dev-clamd';
import { installTemporalLogging } from './temporal/temporal-logging';
import { startWorker } from './worker-runner';

function withClamd(config: Config, clamd: ClamdConfig): Config {
  return Object.freeze({ ...config, scanning: Object.freeze({ ...config.scanning, clamd: Object.freeze(clamd) }) });
}

/**
 * `npm run dev`: embedded PostgreSQL, a Temporal dev server with its UI, clamd (when CLAMD_* configures none), the
 * subgraph and the worker in one process. Ctrl-C (or SIGTERM) drains the API and the worker, then stops clamd, the
 * dev server and PostgreSQL it started.
 */
async function main(): Promise<void> {
  let config = loadConfig();
  const log = createLogger(config);
  const tracing = initTracing(config.observability.tracing, config.observability.tracing.serviceName);
  if (tracing) log.info({ endpoint: config.observability.tracing.endpoint }, 'OpenTelemetry traces exported over OTLP');
  installTemporalLogging(log);
  let clamd: DevClamd | null = null;
  if (!config.scanning.clamd) {
    clamd = await startDevClamd(config.scanning.dev, config.temporal.toolsDir, (line) => log.info(line));
    if (clamd.running) {
      config = withClamd(config, clamd.endpoint);
      log.info({ port: clamd.endpoint.port, signatures: clamd.database.source, dir: clamd.database.dir }, 'clamd started');
    } else {
      log.warn(`${clamd.reason}: the ClamAV part of every scan is SKIPPED`);
    }
  }
  const stopClamd = clamd?.running ? clamd.stop : async () => undefined;
  const runtime = await openRuntime(config, log).catch(async (error: unknown) => {
    await stopClamd();
    throw error;
  });
  const worker = await startWorker(runtime, log);
  const app = await serveSubgraph(runtime, log);
  onShutdown(log, config.shutdownTimeoutMs, [
    { name: 'HTTP drain and worker drain', run: async () => void (await Promise.all([app.stop(), worker.stop()])) },
    { name: 'Temporal dev server and embedded PostgreSQL', run: () => runtime.close() },
    { name: 'clamd', run: stopClamd },
    { name: 'trace export flush', run: async () => tracing?.shutdown() },
  ]);
  printDevBanner(config, { graphqlUrl: app.url, temporalUi: runtime.temporalUiUrl ?? null, clamd });
}

main().catch(reportStartupFailure);
