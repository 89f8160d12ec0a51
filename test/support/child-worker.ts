import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { TestApp } from './test-app';

/**
 * A worker as its own OS process (src/worker.ts's wiring, test/support/worker-child.ts) on the app's queue and
 * database, so a test can kill it like a crash would. Resolves once it polls; `children` collects it for cleanup.
 */
export async function spawnWorker(t: TestApp, children: ChildProcess[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = fork(path.resolve(__dirname, 'worker-child.ts'), [], {
    execArgv: ['-r', path.resolve(__dirname, 'ts-register.js')],
    env: { ...process.env, ...t.env, DATABASE_URL: process.env.TEST_DATABASE_URL!, TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS!, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
  });
  return child;
}
