import type { ChildProcess } from 'node:child_process';
import { spawnWorker } from '../support/child-worker';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

let t: TestApp;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await t.stop();
});

/** With `crashAfter` the worker SIGKILLs itself right after that activity commits. */
const spawn = (crashAfter?: string) => spawnWorker(t, children, crashAfter ? { CRASH_AFTER_ACTIVITY: crashAfter } : {});

const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));

/** What a user can observe of a settled import, without ids and timestamps. */
async function outcome(operationId: string) {
  const [op] = await t.dataSource.query('SELECT status, error_code, version_id FROM operations WHERE id = $1', [operationId]);
  const [version] = await t.dataSource.query('SELECT status, files_complete FROM model_versions WHERE id = $1', [op.version_id]);
  const files = await t.dataSource.query('SELECT path, size, sha256, format FROM version_files WHERE version_id = $1 ORDER BY path', [op.version_id]);
  const moves = await t.dataSource.query('SELECT from_status, to_status, actor FROM lifecycle_transitions WHERE version_id = $1 ORDER BY occurred_at', [op.version_id]);
  const [listed] = await t.dataSource.query('SELECT count(*)::int AS n FROM import_files WHERE operation_id = $1', [operationId]);
  return { operation: [op.status, op.error_code], version, files, moves, listed: listed.n };
}

async function runImport(dir: string, crashAfter?: string) {
  const worker = await spawn(crashAfter);
  const started = await importModel(t, { name: uniqueName('crash'), source: { sourceType: 'DISK', path: dir } });
  const opId = started.data!.importModel.id as string;
  if (crashAfter) {
    expect(await exited(worker)).toBe('SIGKILL');
    await spawn();
  }
  // After a crash the activity's retry waits out its heartbeat timeout (20-30 s) on the new worker.
  const done = await waitForOperation(t, opId, 120_000);
  expect(done.status).toBe('SUCCEEDED');
  for (const child of children.splice(0)) child.kill('SIGKILL');
  return outcome(opId);
}

test('a worker killed right after each step commits is replaced; the stored state equals an uninterrupted run', async () => {
  const dir = await writeModelDir(t);
  const reference = await runImport(dir);
  expect(reference.moves.map((m: { to_status: string }) => m.to_status)).toEqual(['DRAFT', 'INGESTING', 'VERIFIED']);
  for (const step of ['listSourceFiles', 'stageSourceFiles', 'completeImport']) {
    expect({ step, ...(await runImport(dir, step)) }).toEqual({ step, ...reference });
  }
}, 900_000); // four imports, three of them waiting out a heartbeat timeout, on a possibly loaded machine
