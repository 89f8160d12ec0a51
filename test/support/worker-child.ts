import 'reflect-metadata';
import pino from 'pino';
import { type Activities, createActivities } from '../../activities/create-activities';
import { loadConfig } from '../../src/config/config';
import { openRuntime } from '../../src/runtime';
import { createWorker } from '../../src/temporal/worker-factory';

/**
 * A worker in its own process, configured from the environment like src/worker.ts, on the test's bundle.
 * CRASH_AFTER_ACTIVITY=<name> kills the process (SIGKILL) right after that activity's work has committed and
 * before Temporal hears of it: the crash a retried activity must survive without doing anything twice.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: 'warn' });
  const runtime = await openRuntime(config, log);
  const activities = crashAfter(createActivities(runtime.services), process.env.CRASH_AFTER_ACTIVITY);
  const { worker, connection } = await createWorker({
    address: runtime.temporalAddress,
    temporal: config.temporal,
    activities,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
  });
  const done = worker.run();
  process.send?.('ready');
  await done;
  await connection.close();
  await runtime.close();
}

function crashAfter(activities: Activities, name: string | undefined): Activities {
  if (!name) return activities;
  if (!Object.hasOwn(activities, name)) throw new Error(`CRASH_AFTER_ACTIVITY: no activity named ${name}`);
  const original = activities[name as keyof Activities] as (...args: unknown[]) => Promise<unknown>;
  return {
    ...activities,
    [name]: async (...args: unknown[]) => {
      await original(...args);
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined); // never answers: the process is gone
    },
  } as Activities;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
