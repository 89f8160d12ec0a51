import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { openRuntime } from '../../src/runtime';
import { startWorker } from '../../src/worker-runner';

/** A worker in its own process, configured from the environment like src/worker.ts, on the test's bundle. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: 'warn' });
  const runtime = await openRuntime(config, log);
  const worker = await startWorker(runtime, log, process.env.TEST_WORKFLOW_BUNDLE);
  process.send?.('ready');
  await worker.done;
  await runtime.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
