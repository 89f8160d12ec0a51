import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { systemCaller } from '../../src/domain/auth/caller';
import type { BlobGcReport } from '../../src/domain/storage/blob-gc';
import { DEFAULT_STORE_ID } from '../../src/domain/storage/store';
import { blobKey } from '../../src/storage/artifact-store';
import { acquireStagingLock } from '../../src/storage/staging-lock';
import { blobGcScheduleId, ensureBlobGcSchedule } from '../../src/temporal/blob-gc-schedule';
import { importVerified } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const DAY_MS = 24 * 3600 * 1000;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let t: TestApp;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
  connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection.close();
  await t.stop();
});

/** A blob put straight into the store, last written `ageMs` ago. */
async function blob(content: string, ageMs: number): Promise<string> {
  const bytes = Buffer.from(content);
  const digest = sha256(bytes);
  const file = path.join(t.config.artifacts.dir, blobKey(digest));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  const when = new Date(Date.now() - ageMs);
  await utimes(file, when, when);
  return digest;
}

const exists = (digest: string) => stat(path.join(t.config.artifacts.dir, blobKey(digest))).then(() => true, () => false);

// The default store only: the run's database is shared by the test files, and stores other files registered (with
// their own blobs) would otherwise count in these reports.
function runCollector(graceMs: number): Promise<BlobGcReport> {
  return client.workflow.execute('blobGcWorkflow', { taskQueue: t.config.temporal.taskQueue, workflowId: `blob-gc-test-${randomUUID()}`, args: [{ graceMs, storeId: DEFAULT_STORE_ID }] });
}

test('the scheduled collector removes only blobs no version and no live import references, and only after the grace period', async () => {
  const { versionId, operationId } = await importVerified(t);
  const referenced: string[] = (await t.dataSource.query(`SELECT sha256 FROM version_files WHERE version_id = $1`, [versionId])).map((r: { sha256: string }) => r.sha256);
  const orphanOld = await blob(`orphan ${randomUUID()}`, 3 * DAY_MS);
  const orphanYoung = await blob(`young ${randomUUID()}`, 60_000);
  const liveImport = await blob(`live ${randomUUID()}`, 3 * DAY_MS);
  // Referenced only by an import still running (stored, not yet in a manifest).
  await t.dataSource.query(
    `INSERT INTO import_files (operation_id, path, ordinal, size, sha256, stored_size, format) VALUES ($1, 'extra.bin', 99, 10, $2, 10, 'OTHER')`,
    [operationId, liveImport],
  );
  await t.dataSource.query(`UPDATE operations SET status = 'RUNNING' WHERE id = $1`, [operationId]);
  for (const digest of referenced) {
    const file = path.join(t.config.artifacts.dir, blobKey(digest));
    const old = new Date(Date.now() - 3 * DAY_MS);
    await utimes(file, old, old); // referenced blobs are kept whatever their age
  }

  const first = await runCollector(DAY_MS);
  expect(first).toEqual({ scanned: referenced.length + 3, referenced: referenced.length + 1, young: 1, deleted: 1, bytesFreed: expect.any(Number) });
  expect(await exists(orphanOld)).toBe(false);
  expect(await exists(orphanYoung)).toBe(true);
  expect(await exists(liveImport)).toBe(true);
  for (const digest of referenced) expect(await exists(digest)).toBe(true);

  // Once that import has settled, its listing protects nothing: only manifests do.
  await t.dataSource.query(`UPDATE operations SET status = 'SUCCEEDED' WHERE id = $1`, [operationId]);
  const second = await runCollector(DAY_MS);
  expect(second).toMatchObject({ deleted: 1, referenced: referenced.length, young: 1 });
  expect(await exists(liveImport)).toBe(false);
  for (const digest of referenced) expect(await exists(digest)).toBe(true);
  const version = await t.gql(`query($v: ID!) { version(id: $v) { status files { sha256 } } }`, { v: versionId });
  expect(version.data!.version.files.map((f: { sha256: string }) => f.sha256).sort()).toEqual([...referenced].sort());
}, 120_000);

test('the schedule is created once and updated in place by every later worker start, and removed when the interval is 0', async () => {
  const temporal = { ...t.config.temporal, taskQueue: `blob-gc-schedule-${randomUUID()}` };
  const address = process.env.TEST_TEMPORAL_ADDRESS!;
  const gc = { blobIntervalMs: 3_600_000, blobGraceMs: DAY_MS, stagingGraceMs: DAY_MS };
  expect(await ensureBlobGcSchedule(address, temporal, gc)).toBe('created');
  expect(await ensureBlobGcSchedule(address, temporal, { ...gc, blobIntervalMs: 7_200_000, blobGraceMs: 2 * DAY_MS })).toBe('updated');
  const described = await client.schedule.getHandle(blobGcScheduleId(temporal.taskQueue)).describe();
  expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 7_200_000 })]);
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'blobGcWorkflow', taskQueue: temporal.taskQueue, args: [{ graceMs: 2 * DAY_MS }] });
  expect(described.policies.overlap).toBe('SKIP');
  expect(await ensureBlobGcSchedule(address, temporal, { ...gc, blobIntervalMs: 0 })).toBe('deleted');
  expect(await ensureBlobGcSchedule(address, temporal, { ...gc, blobIntervalMs: 0 })).toBe('absent');
});

test('staging left by dead attempts is removed after the grace period; locked files, young files and live imports stay', async () => {
  const staging = t.config.artifacts.stagingDir;
  const old = new Date(Date.now() - 3 * DAY_MS);
  const age = async (file: string) => utimes(file, old, old);
  const dead = path.join(staging, randomUUID());
  await mkdir(dead, { recursive: true });
  const files = { abandoned: path.join(dead, 'a.part'), young: path.join(dead, 'b.part'), locked: path.join(dead, 'c.part'), strayLock: path.join(dead, 'd.part.lock') };
  await writeFile(files.abandoned, Buffer.alloc(4096));
  await age(files.abandoned);
  await writeFile(files.young, 'partial');
  await writeFile(files.locked, 'being written');
  await age(files.locked);
  const held = await acquireStagingLock(files.locked, 60_000); // a live attempt still writing it
  await writeFile(files.strayLock, JSON.stringify({ pid: 999_999, host: 'elsewhere', token: 'x' }));
  await age(files.strayLock);
  const empty = path.join(staging, randomUUID());
  await mkdir(empty, { recursive: true });
  // A version whose import is still running keeps its staging, however old.
  const { versionId, operationId } = await importVerified(t);
  // The operation is SUCCEEDED before the workflow's last step discards the version's staging folder: wait for the
  // workflow to end, or that discard races the folder made below (CI saw mkdir fail with ENOENT).
  const [{ workflow_id: workflowId }] = (await t.dataSource.query(`SELECT workflow_id FROM operations WHERE id = $1`, [operationId])) as { workflow_id: string }[];
  await client.workflow.getHandle(workflowId).result();
  await t.dataSource.query(`UPDATE operations SET status = 'RUNNING' WHERE id = $1`, [operationId]);
  const live = path.join(staging, versionId);
  await mkdir(live, { recursive: true });
  await writeFile(path.join(live, 'e.part'), 'resumable');
  await age(path.join(live, 'e.part'));

  try {
    const report = await t.services.blobGc.cleanStaging(systemCaller('staging sweeper'), staging, DAY_MS);
    expect(report).toMatchObject({ removedFiles: 1, removedBytes: 4096, keptLocked: 1, removedFolders: 1 });
    expect((await readdir(dead)).sort()).toEqual(['b.part', 'c.part', 'c.part.lock']);
    expect(await readdir(live)).toEqual(['e.part']);
    await expect(stat(empty)).rejects.toThrow();
  } finally {
    await held.release();
    await t.dataSource.query(`UPDATE operations SET status = 'SUCCEEDED' WHERE id = $1`, [operationId]);
  }
}, 120_000);
