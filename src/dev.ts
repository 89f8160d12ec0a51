import 'reflect-metadata';
import { loadConfig } from './config/config';
import { createLogger } from './config/logger';
import { printDevBanner } from './dev-banner';
import { serveSubgraph } from './http/serve';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';
import { reportStartupFailure } from './startup-failure';
import { installTemporalLogging } from './temporal/temporal-logging';
import { startWorker } from './worker-runner';

/**
 * `npm run dev`: embedded PostgreSQL, a Temporal dev server with its UI, the subgraph and the worker in one
 * process. Ctrl-C (or SIGTERM) drains the API and the worker, then stops the dev server and PostgreSQL it started.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  installTemporalLogging(log);
  const runtime = await openRuntime(config, log);
  const worker = await startWorker(runtime, log);
  const app = await serveSubgraph(runtime, log);
  onShutdown(log, config.shutdownTimeoutMs, [
    { name: 'HTTP drain and worker drain', run: async () => void (await Promise.all([app.stop(), worker.stop()])) },
    { name: 'Temporal dev server and embedded PostgreSQL', run: () => runtime.close() },
  ]);
  printDevBanner(config, app.url, runtime.temporalUiUrl ?? null);
}

main().catch(reportStartupFailure);
