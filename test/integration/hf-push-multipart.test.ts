import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import S3rver from 's3rver';
import { Role } from '../../src/domain/auth/roles';
import type { UploadSweepReport } from '../../src/domain/storage/upload-sweep';
import { issueToken } from '../../src/services/auth-tokens';
import { blobKey } from '../../src/storage/artifact-store';
import { registerModel } from '../support/catalog-fixtures';
import { freePort } from '../support/free-port';
import { hfPython } from '../support/hf-python';
import { type MotoServer, startMotoServer } from '../support/moto-server';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * The one direct-upload service behind the hub protocol: for a model whose store is an S3 bucket, huggingface_hub's
 * LFS upload takes the hub's multipart transfer (presigned part URLs straight to the bucket, then a completion that
 * assembles, reads back and verifies), so the API moves no body byte; a cut or altered upload counts for nothing; and
 * the upload sweeper aborts what was abandoned while leaving live uploads be.
 */
const creds = () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
const LFS_JSON = { 'content-type': 'application/vnd.git-lfs+json', accept: 'application/vnd.git-lfs+json' };
let dir: string;
let s3: S3rver;
let moto: MotoServer;
let s3Endpoint: string;
let t: TestApp;
let temporal: Connection;
const project = uniqueName('mpush');
let admin: string;
let pusher: string;
const stores: Record<'s3rver' | 'moto', string> = { s3rver: '', moto: '' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-mpush-'));
  const port = await freePort();
  s3 = new S3rver({ port, address: '127.0.0.1', directory: path.join(dir, 's3'), silent: true });
  await s3.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
  moto = await startMotoServer();
  for (const url of [s3Endpoint, moto.endpoint]) {
    const client = s3Client(url);
    await client.send(new CreateBucketCommand({ Bucket: 'pushes' }));
    client.destroy();
  }
  t = await startTestApp({ worker: true, env: { SECRETS_KEY: 'hf-push-multipart-test-secrets-key-0123456789', STORE_ENDPOINT_ALLOW: '127.0.0.1' } });
  temporal = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
  admin = await issueToken(t.config.auth, `admin-${project}`, [], 3600, new Map([[project, [Role.ADMIN]]]));
  pusher = `hf_${await issueToken(t.config.auth, `pusher-${project}`, [], 3600, new Map([[project, [Role.EDITOR]]]))}`;
  for (const [name, url] of [['s3rver', s3Endpoint], ['moto', moto.endpoint]] as const) {
    const res = await t.gql(`mutation($i: CreateStoreInput!) { createStore(input: $i) { id } }`, { i: { project, name, kind: 'S3', s3: { endpoint: url, bucket: 'pushes', region: 'us-east-1', ...creds() } } }, { token: admin });
    if (res.errors) throw new Error(`createStore ${name}: ${JSON.stringify(res.errors)}`);
    stores[name] = res.data!.createStore.id as string;
  }
}, 300_000);

afterAll(async () => {
  await temporal?.close();
  await t?.stop();
  await s3?.close();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

function s3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: creds() });
}

async function keys(endpoint: string): Promise<string[]> {
  const client = s3Client(endpoint);
  try {
    return ((await client.send(new ListObjectsV2Command({ Bucket: 'pushes' }))).Contents ?? []).map((o) => o.Key ?? '');
  } finally {
    client.destroy();
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hubUrl = () => `http://127.0.0.1:${t.app.port}/hf`;

/** A model of the project whose store is `store`; its hub repository id. */
async function modelIn(store: 's3rver' | 'moto'): Promise<{ id: string; name: string; repo: string }> {
  const model = await registerModel(t, { sourceType: 'CUSTOM', project });
  const set = await t.gql(`mutation($m: ID!, $s: ID) { setModelStore(modelId: $m, storeId: $s) }`, { m: model.id, s: stores[store] }, { token: admin });
  expect(set.errors).toBeUndefined();
  return { id: model.id, name: model.name, repo: `${project}/${model.name}` };
}

/** This API process's upload counters, from its /metrics. */
async function uploadCounters(): Promise<{ bodyBytes: number; multipart: number; throughApi: number }> {
  const text = await (await fetch(`http://127.0.0.1:${t.app.port}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    bodyBytes: value(/^modelhub_upload_body_bytes_received_total (\d+)/m),
    multipart: value(/^modelhub_upload_bytes_total\{transfer="multipart"\} (\d+)/m),
    throughApi: value(/^modelhub_upload_bytes_total\{transfer="through_api"\} (\d+)/m),
  };
}

interface BatchObject {
  oid: string;
  size: number;
  actions?: { upload: { href: string; header?: Record<string, string> }; verify: { href: string } };
}

/** The LFS batch as a client asks it, by hand (the transfers it speaks). */
async function batch(repo: string, bytes: Buffer, transfers = ['basic', 'multipart']): Promise<{ transfer: string; object: BatchObject }> {
  const res = await fetch(`${hubUrl()}/${repo}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { ...LFS_JSON, authorization: `Bearer ${pusher}` },
    body: JSON.stringify({ operation: 'upload', transfers, objects: [{ oid: sha256(bytes), size: bytes.length }], hash_algo: 'sha256' }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { transfer: string; objects: BatchObject[] };
  return { transfer: body.transfer, object: body.objects[0] };
}

/** PUTs parts straight to their presigned URLs; returns the ETags in the completion's shape. */
async function sendParts(header: Record<string, string>, bytes: Buffer, only?: number[]): Promise<{ partNumber: number; etag: string }[]> {
  const size = Number(header.chunk_size);
  const numbers = Object.keys(header).filter((k) => /^\d+$/.test(k)).map(Number).sort((a, b) => a - b);
  const sent = [];
  for (const n of numbers.filter((p) => !only || only.includes(p))) {
    const res = await fetch(header[String(n).padStart(5, '0')], { method: 'PUT', body: bytes.subarray((n - 1) * size, n * size) });
    expect(res.status).toBe(200);
    sent.push({ partNumber: n, etag: res.headers.get('etag')! });
  }
  return sent;
}

async function verify(object: BatchObject): Promise<number> {
  const res = await fetch(object.actions!.verify.href, { method: 'POST', headers: { ...LFS_JSON, authorization: `Bearer ${pusher}` }, body: JSON.stringify({ oid: object.oid, size: object.size }) });
  return res.status;
}

const ticketOf = (object: BatchObject) => object.actions!.upload.href.split('/lfs/')[1];

async function ticketRow(ticket: string): Promise<{ stored_at: Date | null; direct_upload_id: string | null; s3_upload_id: string | null } | undefined> {
  const rows = (await t.dataSource.query(
    `SELECT o.stored_at, o.direct_upload_id, d.s3_upload_id FROM hub_lfs_objects o LEFT JOIN direct_uploads d ON d.id = o.direct_upload_id WHERE o.ticket = $1`,
    [ticket],
  )) as { stored_at: Date | null; direct_upload_id: string | null; s3_upload_id: string | null }[];
  return rows[0];
}

test('huggingface_hub pushes a file larger than one chunk straight to the S3 bucket in presigned parts; the API moves no body byte', async () => {
  const model = await modelIn('s3rver');
  const mib = Number(process.env.MULTIPART_PUSH_MIB ?? 40);
  // Text (a format the scanners read whole), so the pushed version can reach VERIFIED and be pulled back.
  const bytes = Buffer.from(randomBytes((mib * 1024 * 1024) / 2).toString('hex').replace(/(.{127})./g, '$1\n'));
  const file = path.join(dir, 'shards.txt');
  await writeFile(file, bytes);
  const before = await uploadCounters();
  const pushed = JSON.parse(
    await hfPython(
      `
import json, os, time
from huggingface_hub import HfApi
started = time.monotonic()
info = HfApi().upload_file(path_or_fileobj=os.environ["FILE"], path_in_repo="data/shards.txt", repo_id=os.environ["REPO"], commit_message="Weights in parts")
print(json.dumps({"oid": info.oid, "seconds": time.monotonic() - started}))
`,
      { HF_ENDPOINT: hubUrl(), HF_TOKEN: pusher, REPO: model.repo, FILE: file },
    ),
  ) as { oid: string; seconds: number };
  const after = await uploadCounters();
  console.log(`multipart push of ${mib} MiB: ${pushed.seconds.toFixed(2)} s; API body bytes received ${after.bodyBytes - before.bodyBytes}`);
  // Not one body byte through the API: the parts went to the bucket, the API only read the assembled object back.
  expect(after.bodyBytes - before.bodyBytes).toBe(0);
  expect(after.throughApi - before.throughApi).toBe(0);
  expect(after.multipart - before.multipart).toBe(bytes.length);
  expect((await readdir(t.config.files.uploadDir).catch(() => [] as string[])).filter((n) => n.startsWith('direct-'))).toEqual([]);
  // The ticket was a multipart one and counts; the blob sits at its content-addressed key, no assembly object left.
  const [ticket] = (await t.dataSource.query(`SELECT o.stored_at, o.direct_upload_id, d.completed_at FROM hub_lfs_objects o JOIN direct_uploads d ON d.id = o.direct_upload_id WHERE o.model_id = $1`, [model.id])) as {
    stored_at: Date | null;
    completed_at: Date | null;
  }[];
  expect(ticket).toMatchObject({ stored_at: expect.any(Date), completed_at: expect.any(Date) });
  const inBucket = await keys(s3Endpoint);
  expect(inBucket).toContain(blobKey(sha256(bytes)));
  expect(inBucket.filter((k) => k.startsWith('direct-uploads/'))).toEqual([]);

  // The commit submitted the version; once verified, snapshot_download returns the same bytes.
  const deadline = Date.now() + 180_000;
  let status = '';
  while (status !== 'VERIFIED') {
    const res = await t.gql(`query($n: String!) { modelByName(name: $n) { versions { version status } } }`, { n: model.name }, { token: admin });
    status = (res.data?.modelByName?.versions?.[0]?.status as string | undefined) ?? '';
    if (['FAILED', 'NEEDS_ATTENTION', 'REJECTED'].includes(status) || Date.now() > deadline) throw new Error(`version of ${model.name} did not verify: ${JSON.stringify(res.data ?? res.errors)}`);
    if (status !== 'VERIFIED') await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const pulled = await hfPython(
    `
import hashlib, os
from huggingface_hub import snapshot_download
folder = snapshot_download(repo_id=os.environ["REPO"], revision="main", local_dir=os.environ["DEST"])
print(hashlib.sha256(open(os.path.join(folder, "data", "shards.txt"), "rb").read()).hexdigest())
`,
    { HF_ENDPOINT: hubUrl(), HF_TOKEN: pusher, REPO: model.repo, DEST: path.join(dir, 'pulled') },
  );
  expect(pulled.trim()).toBe(sha256(bytes));
}, 600_000);

test('a multipart upload with a wrong byte or a part missing counts for nothing', async () => {
  const model = await modelIn('s3rver');
  const bytes = randomBytes(20 * 1024 * 1024);
  const complete = (object: BatchObject, parts: unknown[]) =>
    fetch(object.actions!.upload.href, { method: 'POST', headers: LFS_JSON, body: JSON.stringify({ oid: object.oid, parts }) });

  // A byte changed in the second part: assembled, read back, refused, and the assembly removed.
  const altered = await batch(model.repo, bytes);
  expect(altered.transfer).toBe('multipart');
  const header = altered.object.actions!.upload.header!;
  expect(Object.keys(header).filter((k) => /^\d+$/.test(k))).toEqual(['00001', '00002']);
  const wrong = Buffer.from(bytes);
  wrong[wrong.length - 3] ^= 0xff;
  const refused = await complete(altered.object, await sendParts(header, wrong));
  expect(refused.status).toBe(400);
  expect(refused.headers.get('x-error-message') ?? (await refused.text())).toContain('sha256 mismatch');
  expect(await verify(altered.object)).toBe(404);
  expect(await ticketRow(ticketOf(altered.object))).toBeUndefined();

  // A part never sent: refused by name before anything is assembled; the upload stays open for its URLs' life.
  const cut = await batch(model.repo, bytes);
  const partial = await complete(cut.object, await sendParts(cut.object.actions!.upload.header!, bytes, [1]));
  expect(partial.status).toBe(400);
  expect(partial.headers.get('x-error-message') ?? (await partial.text())).toContain('part 2 is missing');
  expect(await verify(cut.object)).toBe(404);
  expect(await ticketRow(ticketOf(cut.object))).toMatchObject({ stored_at: null });
  // A PUT of the whole body to a multipart ticket is refused too (it is not a basic transfer).
  const put = await fetch(cut.object.actions!.upload.href, { method: 'PUT', body: bytes });
  expect(put.status).toBe(409);

  // Nothing counts: no blob, no assembly object, and a commit naming the oid is refused.
  const inBucket = await keys(s3Endpoint);
  expect(inBucket).not.toContain(blobKey(sha256(bytes)));
  expect(inBucket.filter((k) => k.startsWith('direct-uploads/'))).toEqual([]);
  const commit = await fetch(`${hubUrl()}/api/models/${model.repo}/commit/main`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${pusher}` },
    body: `${JSON.stringify({ key: 'header', value: { summary: 'sneak' } })}\n${JSON.stringify({ key: 'lfsFile', value: { path: 'w.bin', algo: 'sha256', oid: sha256(bytes), size: bytes.length } })}\n`,
  });
  expect(commit.status).toBe(400);
  expect(await commit.text()).toContain('was not uploaded to this repository');
}, 300_000);

test('the upload sweeper aborts abandoned multipart uploads in the bucket and drops their rows, expired tickets and crash leftovers; live ones stay', async () => {
  const model = await modelIn('moto');
  const bytes = randomBytes(20 * 1024 * 1024);
  const abandoned = await batch(model.repo, bytes);
  await sendParts(abandoned.object.actions!.upload.header!, bytes, [1]);
  const live = await batch(model.repo, bytes);
  await sendParts(live.object.actions!.upload.header!, bytes, [1]);
  const unusedBasic = await batch(model.repo, bytes, ['basic']);
  expect(unusedBasic.object.actions!.upload.header).toBeUndefined();
  const [abandonedRow, liveRow] = [await ticketRow(ticketOf(abandoned.object)), await ticketRow(ticketOf(live.object))];
  const listUploads = async () => {
    const client = s3Client(moto.endpoint);
    try {
      return ((await client.send(new ListMultipartUploadsCommand({ Bucket: 'pushes' }))).Uploads ?? []).map((u) => u.UploadId);
    } finally {
      client.destroy();
    }
  };
  expect((await listUploads()).sort()).toEqual([abandonedRow!.s3_upload_id, liveRow!.s3_upload_id].sort());

  // Time passes for the abandoned ones only: its part URLs and the unused ticket expired two hours ago.
  await t.dataSource.query(`UPDATE direct_uploads SET expires_at = now() - interval '2 hours' WHERE id = $1`, [abandonedRow!.direct_upload_id]);
  await t.dataSource.query(`UPDATE hub_lfs_objects SET expires_at = now() - interval '2 hours' WHERE ticket = $1`, [ticketOf(unusedBasic.object)]);
  // A crash left a through-API part file an hour ago; another is being written now.
  await mkdir(t.config.files.uploadDir, { recursive: true });
  const [stale, fresh] = [`direct-${randomBytes(16).toString('hex')}.part`, `direct-${randomBytes(16).toString('hex')}.part`];
  await writeFile(path.join(t.config.files.uploadDir, stale), randomBytes(1000));
  await writeFile(path.join(t.config.files.uploadDir, fresh), randomBytes(1000));
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path.join(t.config.files.uploadDir, stale), anHourAgo, anHourAgo);

  const report = (await new Client({ connection: temporal }).workflow.execute('uploadSweepWorkflow', {
    taskQueue: t.config.temporal.taskQueue,
    workflowId: `upload-sweep-${randomUUID()}`,
    args: [{ graceMs: 3_600_000 }],
  })) as UploadSweepReport;
  expect(report.multipartAborted).toBeGreaterThanOrEqual(1);
  expect(report.ticketsRemoved).toBeGreaterThanOrEqual(1);
  expect(report.partFilesRemoved).toBe(1);

  // Aborted in the bucket (ListMultipartUploads shows only the live one), its rows and ticket gone.
  expect(await listUploads()).toEqual([liveRow!.s3_upload_id]);
  expect(await ticketRow(ticketOf(abandoned.object))).toBeUndefined();
  expect(await t.dataSource.query(`SELECT 1 FROM direct_uploads WHERE id = $1`, [abandonedRow!.direct_upload_id])).toEqual([]);
  expect(await ticketRow(ticketOf(unusedBasic.object))).toBeUndefined();
  expect(await readdir(t.config.files.uploadDir)).toEqual([fresh]);
  // The live one goes on: its remaining part and the completion still work, and the object counts.
  const rest = await sendParts(live.object.actions!.upload.header!, bytes, [2]);
  const client = s3Client(moto.endpoint);
  const listed = await client.send(new ListPartsCommand({ Bucket: 'pushes', Key: `direct-uploads/${liveRow!.direct_upload_id}`, UploadId: liveRow!.s3_upload_id! }));
  client.destroy();
  const first = { partNumber: 1, etag: listed.Parts!.find((p) => p.PartNumber === 1)!.ETag! };
  const done = await fetch(live.object.actions!.upload.href, { method: 'POST', headers: LFS_JSON, body: JSON.stringify({ oid: live.object.oid, parts: [first, ...rest] }) });
  expect(done.status).toBe(200);
  expect(await verify(live.object)).toBe(200);
  expect(await keys(moto.endpoint)).toContain(blobKey(sha256(bytes)));
}, 300_000);
