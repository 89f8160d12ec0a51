import { fork } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../../src/persistence/data-source';
import { ensureDatabase } from '../../src/persistence/embedded-postgres';
import { startTemporalDevServer } from '../../src/temporal/dev-server';
import { startHubServer, type HubServer } from '../fixtures/hub-server';
import { llamaConfig, safetensors } from '../fixtures/model-files';
import { freePort } from '../support/free-port';
import { importModel, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, uniqueName } from '../support/test-app';

let hub: HubServer;
let scratch: string;

beforeAll(async () => {
  hub = await startHubServer();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-outage-'));
  await chmod(scratch, 0o755); // the embedded server runs as the postgres user when the tests run as root
});
afterAll(async () => {
  await hub.close();
  await rm(scratch, { recursive: true, force: true });
});

interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
}

/** A PostgreSQL server of this test's own (a child process), so stopping it touches no other test. */
async function ownPostgres(dataDir: string, port: number): Promise<OwnPostgres> {
  const child = fork(path.resolve(__dirname, '../support/embedded-postgres-child.mjs'), [dataDir, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
  });
  const admin = `postgres://modelhub:modelhub@127.0.0.1:${port}/postgres`;
  await ensureDatabase(admin, 'outage');
  let stopped = false;
  return {
    url: `postgres://modelhub:modelhub@127.0.0.1:${port}/outage`,
    async stop() {
      if (stopped) return;
      stopped = true;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

/** A repo whose weights take a few seconds to arrive, so the import is mid-flight when the fault hits. */
function slowRepo(): string {
  const repoId = `outage/${uniqueName('repo')}`;
  const weights = safetensors([{ name: 'w', dtype: 'F32', shape: [512, 1024] }]); // 2 MiB
  hub.repos.set(repoId, { files: { 'config.json': llamaConfig(), 'model.safetensors': weights }, throttle: { chunk: 64 * 1024, delayMs: 100 } });
  return repoId;
}

test('PostgreSQL stopped mid-import for 45 s and back: the import completes; settling never ran out of retries', async () => {
  const dataDir = path.join(scratch, 'pg');
  const port = await freePort();
  let pg = await ownPostgres(dataDir, port);
  const migrate = createDataSource({ url: pg.url });
  await migrate.initialize();
  await migrate.runMigrations({ transaction: 'each' });
  await migrate.destroy();
  const t = await startTestApp({ worker: true, databaseUrl: pg.url, env: { HF_ENDPOINT: hub.url } });
  try {
    const started = await importModel(t, { name: uniqueName('outage'), source: { sourceType: 'HUGGING_FACE', repoId: slowRepo() } });
    const op = started.data!.importModel;
    await waitForBytes(t, op.id);
    await pg.stop();
    await new Promise((resolve) => setTimeout(resolve, 45_000));
    // Still running in Temporal: no step gave up while the database was away.
    const temporal = new Client({ connection: await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! }) });
    const described = await temporal.workflow.getHandle(op.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    pg = await ownPostgres(dataDir, port);
    const done = await waitForOperation(t, op.id, 120_000);
    expect(done.status).toBe('SUCCEEDED');
    const version = await t.gql(`query($id: ID!) { version(id: $id) { status filesComplete files { path } } }`, { id: op.version.id });
    expect(version.data!.version).toMatchObject({ status: 'VERIFIED', filesComplete: true, files: [{ path: 'config.json' }, { path: 'model.safetensors' }] });
    // The settling steps are scheduled with no attempt cap (0 = unlimited), whatever the outage's length.
    const history = await temporal.workflow.getHandle(op.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    const caps = Object.fromEntries(scheduled.map((a) => [a.activityType?.name, a.retryPolicy?.maximumAttempts ?? 0]));
    expect(caps).toMatchObject({ listSourceFiles: 0, inspectArtifacts: 0, completeImport: 0 });
    await temporal.connection.close();
  } finally {
    await t.stop();
    await pg.stop();
  }
}, 240_000);

test('the Temporal server restarted mid-import (persistent history): the import completes', async () => {
  const port = await freePort();
  const options = { cliPath: process.env.TEMPORAL_CLI_PATH ?? null, port, uiPort: await freePort(), headless: true, dbFile: path.join(scratch, 'temporal.db') };
  let server = await startTemporalDevServer(options);
  const t = await startTestApp({ worker: true, temporalAddress: server.address, env: { HF_ENDPOINT: hub.url } });
  try {
    const started = await importModel(t, { name: uniqueName('restart'), source: { sourceType: 'HUGGING_FACE', repoId: slowRepo() } });
    const op = started.data!.importModel;
    await waitForBytes(t, op.id);
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    server = await startTemporalDevServer(options);
    const done = await waitForOperation(t, op.id, 150_000);
    expect(done.status).toBe('SUCCEEDED');
  } finally {
    await t.stop();
    await server.stop();
  }
}, 240_000);

async function waitForBytes(t: Awaited<ReturnType<typeof startTestApp>>, operationId: string): Promise<void> {
  for (;;) {
    const [row] = await t.dataSource.query('SELECT bytes_done::bigint AS b FROM operations WHERE id = $1', [operationId]);
    if (Number(row?.b ?? 0) > 256 * 1024) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
