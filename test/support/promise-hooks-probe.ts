import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import { loadConfig } from '../../src/config/config';
import { TemporalGateway } from '../../src/temporal/temporal-gateway';

/**
 * Run as its own process (test/integration/read-path.test.ts): whether promise hooks are on around the API's Temporal
 * client. With them on, every promise gets an async id, so two awaits in a row run under different ids; with them
 * off, both run under the id of what started them.
 */
async function promiseHooksOn(): Promise<boolean> {
  await null;
  const first = executionAsyncId();
  await null;
  return first !== executionAsyncId();
}

async function main(): Promise<void> {
  const address = process.argv[2];
  const before = await promiseHooksOn();
  const config = loadConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: address }, process.cwd(), false);
  const gateway = await TemporalGateway.connect(address, config.temporal);
  const afterConnect = await promiseHooksOn();
  const healthy = await gateway.healthy();
  const afterCall = await promiseHooksOn();
  await gateway.close();
  // The control: any AsyncLocalStorage run turns them on (so the probe can see them).
  new AsyncLocalStorage<number>().run(1, () => undefined);
  const afterStorageRun = await promiseHooksOn();
  process.stdout.write(`${JSON.stringify({ before, afterConnect, healthy, afterCall, afterStorageRun })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
