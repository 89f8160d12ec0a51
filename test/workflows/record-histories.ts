/**
 * Records the histories that test/workflows/replay.test.ts replays: runs every scenario of history-scenarios.ts
 * through the real workflow bundle on a real Temporal server and writes test/workflows/histories/<file>.json.
 *
 *   npm run histories:record                      # all scenarios; removes histories no scenario produces
 *   npm run histories:record -- import-cancelled  # only the named ones
 *
 * Server: TEMPORAL_ADDRESS when set, else a throwaway `temporal server start-dev` (TEMPORAL_CLI_PATH, PATH, ~/go/bin).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { findTemporalCli, INSTALL_HINT } from '../../src/temporal/dev-server';
import { historyToJson } from './history-json';
import { type HistoryScenario, historyScenarios } from './history-scenarios';
import { HISTORIES_DIR } from './replay-histories';

// A fixed identity instead of pid@host, so that re-recording an unchanged workflow gives a small diff.
const IDENTITY = 'modelhub-history-recorder';

async function environment(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEMPORAL_ADDRESS;
  const client = { identity: IDENTITY };
  if (address) return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: process.env.TEMPORAL_NAMESPACE, client });
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH ?? null);
  if (!cli) throw new Error(`No Temporal server to record against. ${INSTALL_HINT}`);
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli } }, client });
}

async function record(scenario: HistoryScenario, env: TestWorkflowEnvironment, code: string): Promise<string> {
  const taskQueue = `record-histories-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    identity: IDENTITY,
    workflowBundle: { code },
    activities: scenario.activities,
    // Deliver a cancel request to a heartbeating activity within ~100 ms instead of 80% of its heartbeat timeout.
    maxHeartbeatThrottleInterval: '100ms',
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(scenario.workflowType, {
      taskQueue,
      workflowId: `record-${scenario.file}-${randomUUID()}`,
      args: [typeof scenario.input === 'function' ? scenario.input(taskQueue) : scenario.input],
    });
    if (scenario.cancelWhenStarted) {
      await scenario.cancelWhenStarted;
      await handle.cancel();
    }
    await handle.result().catch(() => undefined);
    const { status } = await handle.describe();
    if (status.name !== scenario.expectedStatus) {
      throw new Error(`${scenario.file}: workflow ended ${status.name}, expected ${scenario.expectedStatus}`);
    }
    return historyToJson(await handle.fetchHistory());
  });
}

async function main(only: string[]): Promise<void> {
  // ERROR, not WARN: the failure scenarios fail activities and workflows on purpose.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const scenarios = historyScenarios().filter((scenario) => only.length === 0 || only.includes(scenario.file));
  if (scenarios.length === 0) throw new Error(`No scenario named ${only.join(', ')}`);
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const env = await environment();
  const recorded = new Map<string, string>();
  try {
    for (const scenario of scenarios) recorded.set(scenario.file, await record(scenario, env, code));
  } finally {
    await env.teardown();
  }
  // Only after every scenario ran: a failed recording leaves the checked-in histories as they were.
  await mkdir(HISTORIES_DIR, { recursive: true });
  if (only.length === 0) {
    const stale = (await readdir(HISTORIES_DIR)).filter((name) => name.endsWith('.json') && !recorded.has(name.slice(0, -5)));
    for (const name of stale) await rm(path.join(HISTORIES_DIR, name));
  }
  for (const [file, json] of recorded) {
    await writeFile(path.join(HISTORIES_DIR, `${file}.json`), `${json}\n`);
    console.log(`recorded ${path.relative(process.cwd(), path.join(HISTORIES_DIR, file))}.json`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
