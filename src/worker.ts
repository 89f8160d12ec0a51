import 'reflect-metadata';
import { loadConfig } from './config/config';
import { createLogger } from './config/logger';
import { openRuntime } from './runtime';
import { onShutdown } from './shutdown';
import { startWorker } from './worker-runner';

/** The Temporal worker alone: runs import and local-cache workflows and their activities. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'modelhub-worker');
  const runtime = await openRuntime(config, log);
  const worker = await startWorker(runtime, log);
  onShutdown(log, [() => worker.stop(), () => runtime.close()]);
  await worker.done;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
