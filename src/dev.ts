import 'reflect-metadata';
import { loadConfig } from './config/config';
import { createLogger } from './config/logger';
import { serveSubgraph } from './http/serve';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';
import { startWorker } from './worker-runner';

/** `npm run dev`: embedded PostgreSQL, a Temporal dev server with its UI, the subgraph and the worker in one process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  if (config.auth.usingDevSecret) log.warn('JWT_SECRET is unset: using the local development secret (npm run token)');
  const runtime = await openRuntime(config, log);
  const worker = await startWorker(runtime, log);
  const app = await serveSubgraph(runtime, log);
  onShutdown(log, [() => app.stop(), () => worker.stop(), () => runtime.close()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
