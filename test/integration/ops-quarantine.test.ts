import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Role } from '../../src/domain/auth/roles';
import { ClamavScanner } from '../../src/scanners/clamav-scanner';
import { eicar } from '../fixtures/scan-files';
import { errorCode } from '../support/catalog-fixtures';
import { startTestClamd, TEST_SIGNATURES, type TestClamd } from '../support/clamd-server';
import { importModel, waitForOperation, writeModelDir } from '../support/onboarding-fixtures';
import { subscribe } from '../support/subscriptions';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * A rescan that FAILED takes a version in service out of it: NEEDS_ATTENTION with the scan's reference in the
 * transition, the status reason, an audit row and the model's events; its aliases stay; local caches are refused;
 * open promotion requests are withdrawn. It comes back only after a later clean rescan, by an approver other than
 * whoever asked for that rescan.
 *
 * Versions are imported by `bare`, which has no clamd (the scan is SKIPPED, the version VERIFIED), and rescanned by
 * `t`, whose own clamd has the EICAR signature and signatures the tests add and remove: ClamAV configured (or its
 * signatures updated) after a version went into service. Both share the database and the artifact store.
 */
let bare: TestApp;
let t: TestApp;
let clamd: TestClamd;
jest.setTimeout(240_000);

beforeAll(async () => {
  bare = await startTestApp({ worker: true, env: { CLAMD_HOST: '', CLAMD_PORT: '' } });
  clamd = await startTestClamd();
  t = await startTestApp({ worker: true, env: { CLAMD_HOST: '127.0.0.1', CLAMD_PORT: String(clamd.port), ARTIFACT_DIR: bare.config.artifacts.dir } });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await bare?.stop();
  await clamd?.stop();
});

const VERSION = `id status statusReason aliases scans { id status } transitions { fromStatus toStatus reason actor }`;

interface InService {
  modelId: string;
  versionId: string;
}

/**
 * A version imported with `notes` beside a small model (its scan SKIPPED: no clamd) and put in `stage`: the
 * promotion path is governance's to test, here it only has to be in service.
 */
async function inService(stage: 'PUBLISHED' | 'EVALUATED', notes: Buffer, project?: string): Promise<InService> {
  const dir = await writeModelDir(bare);
  await writeFile(path.join(dir, 'notes.txt'), notes);
  const res = await importModel(bare, { name: uniqueName('quarantine'), ...(project ? { project } : {}), source: { sourceType: 'DISK', path: dir } });
  expect(res.errors).toBeUndefined();
  expect(await waitForOperation(bare, res.data!.importModel.id, 120_000)).toMatchObject({ status: 'SUCCEEDED' });
  const ids = { modelId: res.data!.importModel.model.id as string, versionId: res.data!.importModel.version.id as string };
  await t.dataSource.query('UPDATE model_versions SET status = $2 WHERE id = $1', [ids.versionId, stage]);
  await t.dataSource.query('UPDATE models SET status = $2 WHERE id = $1', [ids.modelId, stage]);
  return ids;
}

/** Tells clamd to reload its signatures and waits until it judges `probe` as `outcome`. */
async function reloadUntil(probe: Buffer, outcome: 'CLEAN' | 'INFECTED'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(clamd.port, '127.0.0.1', () => socket.end('nRELOAD\n'));
    socket.resume(); // its answer (RELOADING) is read and dropped, so its end is seen
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
  const scanner = new ClamavScanner({ socket: null, host: '127.0.0.1', port: clamd.port, timeoutMs: 10_000 });
  const deadline = Date.now() + 30_000;
  while ((await scanner.scan(Readable.from([probe]), probe.length)).outcome !== outcome) {
    if (Date.now() > deadline) throw new Error(`clamd did not reload to ${outcome}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function rescan(versionId: string, token?: string) {
  const res = await t.gql(`mutation($v: ID!) { scanVersion(versionId: $v) { id } }`, { v: versionId }, token ? { token } : {});
  expect(res.errors).toBeUndefined();
  return waitForOperation(t, res.data!.scanVersion.id, 120_000);
}

async function version(id: string) {
  const res = await t.gql(`query($id: ID!) { version(id: $id) { ${VERSION} } }`, { id }, { as: Role.VIEWER });
  expect(res.errors).toBeUndefined();
  return res.data!.version;
}

async function audit(modelId: string, action: string) {
  const res = await t.gql(
    `query($m: ID!, $a: String!) { auditLog(modelId: $m, action: $a) { edges { node { actor action versionId subjectId reason details } } } }`,
    { m: modelId, a: action },
    { as: Role.ADMIN },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.auditLog.edges.map((e: { node: unknown }) => e.node);
}

const reinstate = (versionId: string, token: string) =>
  t.gql(`mutation($v: ID!) { reinstateVersion(versionId: $v, reason: "clean again") { id status statusReason aliases } }`, { v: versionId }, { token });

test('a PUBLISHED version whose rescan finds EICAR is out of service: NEEDS_ATTENTION, aliases kept, an audit row and an event name the scan', async () => {
  const v = await inService('PUBLISHED', eicar());
  const alias = await t.gql(`mutation($m: ID!, $v: ID!) { setAlias(modelId: $m, name: "stable", versionId: $v) { name } }`, { m: v.modelId, v: v.versionId }, { as: Role.APPROVER });
  expect(alias.errors).toBeUndefined();
  const events = await subscribe(t, `subscription($m: ID!) { modelEvents(modelId: $m) { type toStatus reason } }`, { m: v.modelId });
  try {
    const op = await rescan(v.versionId);
    expect(op).toMatchObject({ status: 'SUCCEEDED', message: expect.stringMatching(/^scan FAILED: .*taken out of service \(was PUBLISHED\)/) });

    const after = await version(v.versionId);
    const [scan] = after.scans;
    expect(scan.status).toBe('FAILED');
    expect(after.status).toBe('NEEDS_ATTENTION');
    expect(after.statusReason).toContain(`security rescan ${scan.id} FAILED`);
    expect(after.statusReason).toContain(TEST_SIGNATURES.eicarName);
    expect([...after.aliases].sort()).toEqual(['default', 'stable']);
    expect(after.transitions.at(-1)).toMatchObject({ fromStatus: 'PUBLISHED', toStatus: 'NEEDS_ATTENTION', actor: 'system:scan workflow', reason: expect.stringContaining(scan.id) });

    const [row] = await audit(v.modelId, 'version.quarantined');
    expect(row).toMatchObject({ actor: 'system:scan workflow', versionId: v.versionId, subjectId: scan.id, details: { from: 'PUBLISHED', scanId: scan.id, operationId: op.id, rescanBy: 'editor-user' } });
    const moved = await events.until((e) => e.data?.modelEvents?.type === 'STATUS' && e.data.modelEvents.toStatus === 'NEEDS_ATTENTION');
    expect(moved.data!.modelEvents.reason).toContain(scan.id);
    await events.until((e) => e.data?.modelEvents?.type === 'AUDIT');

    // Nothing may be served or cached from it, whoever asks; no person moves it back by hand.
    expect(await t.services.scans.outOfService(v.versionId)).toEqual({ scanId: scan.id, reason: expect.stringContaining(TEST_SIGNATURES.eicarName) });
    const cache = await t.gql(`mutation($v: ID!) { createLocalCache(versionId: $v) { id } }`, { v: v.versionId });
    expect(errorCode(cache)).toBe('POLICY_VIOLATION');
    expect(cache.errors![0].extensions).toMatchObject({ scanId: scan.id });
    const [caches] = (await t.dataSource.query('SELECT count(*)::int AS n FROM local_caches WHERE version_id = $1', [v.versionId])) as { n: number }[];
    expect(caches.n).toBe(0);
    const byHand = await t.gql(`mutation($id: ID!) { transitionVersion(id: $id, to: PUBLISHED, reason: "fine") { status } }`, { id: v.versionId }, { as: Role.ADMIN });
    expect(errorCode(byHand)).toBe('CONFLICT');
    expect(byHand.errors![0].message).toMatch(/reinstateVersion/);
  } finally {
    events.close();
  }
});

test('an EVALUATED version is taken out of service too, and its open promotion request is withdrawn with an audit row', async () => {
  const project = uniqueName('quarantine-p');
  const configured = await t.gql(
    `mutation($p: String!) { configureProject(input: { id: $p, allowSkippedScan: true, targets: [{ target: PUBLISHED, gates: [CHECKSUMS_VERIFIED, SCAN_PASSED, APPROVALS], requiredApprovals: 1 }] }) { id } }`,
    { p: project },
    { as: Role.ADMIN },
  );
  expect(configured.errors).toBeUndefined();
  const v = await inService('EVALUATED', eicar(), project);
  const asked = await t.gql(`mutation($v: ID!) { requestPromotion(versionId: $v, target: PUBLISHED, justification: "ready") { id state } }`, { v: v.versionId });
  expect(asked.errors).toBeUndefined();
  const requestId = asked.data!.requestPromotion.id;

  await rescan(v.versionId);

  expect((await version(v.versionId)).status).toBe('NEEDS_ATTENTION');
  const request = await t.gql(`query($id: ID!) { promotionRequest(id: $id) { state decisionReason } }`, { id: requestId }, { as: Role.VIEWER });
  expect(request.data!.promotionRequest).toMatchObject({ state: 'WITHDRAWN', decisionReason: expect.stringMatching(/taken out of service: security rescan .* FAILED/) });
  const [withdrawn] = await audit(v.modelId, 'promotion.withdrawn');
  expect(withdrawn).toMatchObject({ actor: 'system:scan workflow', subjectId: requestId, versionId: v.versionId });
  const [row] = await audit(v.modelId, 'version.quarantined');
  expect(row.details).toMatchObject({ from: 'EVALUATED', withdrawnRequests: [requestId] });
});

test('a clean rescan alone does not bring it back: an approver other than whoever asked for that rescan reinstates it, to the stage it held', async () => {
  // A signature of this test's own: added after the version went into service, removed again as a false positive.
  const notes = Buffer.from(`modelhub-ops-${randomBytes(8).toString('hex')}`);
  const signatures = path.join(clamd.databaseDir, `ops-${randomBytes(4).toString('hex')}.ndb`);
  const v = await inService('PUBLISHED', notes);
  const ann = await t.token(Role.APPROVER, 'ann');
  const bob = await t.token(Role.APPROVER, 'bob');
  await writeFile(signatures, `OpsFalsePositive:0:*:${notes.toString('hex')}\n`);
  await reloadUntil(notes, 'INFECTED');
  try {
    await rescan(v.versionId);
  } finally {
    await rm(signatures, { force: true });
    await reloadUntil(notes, 'CLEAN');
  }
  const failedScan = (await version(v.versionId)).scans[0].id;
  expect((await version(v.versionId)).status).toBe('NEEDS_ATTENTION');

  const tooEarly = await reinstate(v.versionId, bob);
  expect(errorCode(tooEarly)).toBe('POLICY_VIOLATION');
  expect(tooEarly.errors![0].extensions).toMatchObject({ rule: 'clean-rescan' });

  // clamd's VERSION names only the engine when the databases are custom ones, so its cached verdict would stand;
  // with the official databases the version names the database and the cache misses by itself.
  await t.dataSource.query(`DELETE FROM blob_scans WHERE sha256 = encode(sha256($1::bytea), 'hex')`, [notes]);
  expect(await rescan(v.versionId, ann)).toMatchObject({ status: 'SUCCEEDED', message: expect.stringMatching(/^scan PASSED/) });
  const cleaned = await version(v.versionId);
  expect(cleaned.scans[0].status).toBe('PASSED');
  expect(cleaned.status).toBe('NEEDS_ATTENTION');
  expect(await t.services.scans.outOfService(v.versionId)).toMatchObject({ scanId: failedScan });

  expect(errorCode(await reinstate(v.versionId, await t.token(Role.EDITOR)))).toBe('FORBIDDEN');
  const sameHands = await reinstate(v.versionId, ann);
  expect(errorCode(sameHands)).toBe('POLICY_VIOLATION');
  expect(sameHands.errors![0].extensions).toMatchObject({ rule: 'four-eyes' });
  expect((await version(v.versionId)).status).toBe('NEEDS_ATTENTION');

  const back = await reinstate(v.versionId, bob);
  expect(back.errors).toBeUndefined();
  expect(back.data!.reinstateVersion).toMatchObject({ status: 'PUBLISHED', statusReason: null, aliases: ['default'] });
  expect(await t.services.scans.outOfService(v.versionId)).toBeNull();
  const [row] = await audit(v.modelId, 'version.reinstated');
  expect(row).toMatchObject({ actor: 'bob', subjectId: cleaned.scans[0].id, reason: 'clean again', details: { to: 'PUBLISHED', failedScanId: failedScan, cleanScanId: cleaned.scans[0].id, rescanBy: 'ann' } });
  expect(errorCode(await reinstate(v.versionId, bob))).toBe('CONFLICT');
});
