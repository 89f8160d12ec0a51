import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { registerModel } from '../support/catalog-fixtures';
import { freePort } from '../support/free-port';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';

/**
 * The S3 multipart LFS path attacked (attack-session29.test.ts has the rest): a client that completes the same
 * ticket twice at once (a retry racing the first), another project's token on the verify, a forged ticket, a part
 * list of the wrong shape. Each answers the hub's way (a status with an error message), never an internal error,
 * and the object counts exactly when its bytes were verified.
 */
const creds = () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
const LFS_JSON = { 'content-type': 'application/vnd.git-lfs+json', accept: 'application/vnd.git-lfs+json' };
let dir: string;
let s3: S3rver;
let t: TestApp;
const project = uniqueName('atk29mp');
const other = uniqueName('atk29mpo');
let pusher: string;
let stranger: string;
let storeId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-atk29mp-'));
  const port = await freePort();
  s3 = new S3rver({ port, address: '127.0.0.1', directory: path.join(dir, 's3'), silent: true });
  await s3.run();
  const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: creds() });
  await client.send(new CreateBucketCommand({ Bucket: 'atk' }));
  client.destroy();
  t = await startTestApp({ env: { SECRETS_KEY: 'attack-session29-multipart-secrets-key-0123456789', STORE_ENDPOINT_ALLOW: '127.0.0.1' } });
  const admin = await issueToken(t.config.auth, `atk29mp-admin-${project}`, [], 3600, new Map([[project, [Role.ADMIN]]]));
  pusher = `hf_${await issueToken(t.config.auth, `atk29mp-pusher-${project}`, [], 3600, new Map([[project, [Role.EDITOR]]]))}`;
  stranger = `hf_${await issueToken(t.config.auth, `atk29mp-stranger-${project}`, [], 3600, new Map([[other, [Role.EDITOR]]]))}`;
  const res = await t.gql(`mutation($i: CreateStoreInput!) { createStore(input: $i) { id } }`, { i: { project, name: 's3', kind: 'S3', s3: { endpoint: `http://127.0.0.1:${port}`, bucket: 'atk', region: 'us-east-1', ...creds() } } }, { token: admin });
  if (res.errors) throw new Error(`createStore: ${JSON.stringify(res.errors)}`);
  storeId = res.data!.createStore.id as string;
  const model = await registerModel(t, { sourceType: 'CUSTOM', project });
  repo = `${project}/${model.name}`;
  const set = await t.gql(`mutation($m: ID!, $s: ID) { setModelStore(modelId: $m, storeId: $s) }`, { m: model.id, s: storeId }, { token: admin });
  if (set.errors) throw new Error(`setModelStore: ${JSON.stringify(set.errors)}`);
}, 300_000);

afterAll(async () => {
  await t?.stop();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

let repo: string;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hubUrl = () => `http://127.0.0.1:${t.app.port}/hf`;

interface BatchObject {
  oid: string;
  size: number;
  actions: { upload: { href: string; header: Record<string, string> }; verify: { href: string } };
}

async function batch(bytes: Buffer, token = pusher): Promise<Response> {
  return fetch(`${hubUrl()}/${repo}.git/info/lfs/objects/batch`, {
    method: 'POST',
    headers: { ...LFS_JSON, authorization: `Bearer ${token}` },
    body: JSON.stringify({ operation: 'upload', transfers: ['basic', 'multipart'], objects: [{ oid: sha256(bytes), size: bytes.length }], hash_algo: 'sha256' }),
  });
}

async function planned(bytes: Buffer): Promise<BatchObject> {
  const res = await batch(bytes);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { transfer: string; objects: BatchObject[] };
  expect(body.transfer).toBe('multipart');
  return body.objects[0];
}

async function sendParts(header: Record<string, string>, bytes: Buffer): Promise<{ partNumber: number; etag: string }[]> {
  const size = Number(header.chunk_size);
  const numbers = Object.keys(header).filter((k) => /^\d+$/.test(k)).map(Number).sort((a, b) => a - b);
  const sent = [];
  for (const n of numbers) {
    const res = await fetch(header[String(n).padStart(5, '0')], { method: 'PUT', body: bytes.subarray((n - 1) * size, n * size) });
    expect(res.status).toBe(200);
    sent.push({ partNumber: n, etag: res.headers.get('etag')! });
  }
  return sent;
}

const complete = (object: BatchObject, body: unknown) => fetch(object.actions.upload.href, { method: 'POST', headers: LFS_JSON, body: JSON.stringify(body) });
const verify = (object: BatchObject, token = pusher, size = object.size) =>
  fetch(object.actions.verify.href, { method: 'POST', headers: { ...LFS_JSON, authorization: `Bearer ${token}` }, body: JSON.stringify({ oid: object.oid, size }) });

test('two completions of one ticket at once (a retry racing the first): both answer 200 or a clear 4xx, and the object counts', async () => {
  const bytes = randomBytes(12 * 1024 * 1024);
  const object = await planned(bytes);
  const parts = await sendParts(object.actions.upload.header, bytes);
  const answers = await Promise.all([complete(object, { oid: object.oid, parts }), complete(object, { oid: object.oid, parts }), complete(object, { oid: object.oid, parts })]);
  const statuses = answers.map((r) => r.status);
  const texts = await Promise.all(answers.map(async (r) => `${r.status} ${r.headers.get('x-error-message') ?? ''} ${await r.text()}`));
  for (const status of statuses) expect([200, 400, 409]).toContain(status);
  expect(statuses).toContain(200);
  expect((await verify(object)).status).toBe(200);
  // A replay after it counted answers as the first did.
  expect((await complete(object, { oid: object.oid, parts })).status).toBe(200);
  expect(texts.join('\n')).not.toMatch(/INTERNAL|internal error/i);
}, 120_000);

test('another project cannot batch or verify, a forged or malformed completion is refused, and none of it is an internal error', async () => {
  const bytes = randomBytes(6 * 1024 * 1024);
  expect((await batch(bytes, stranger)).status).toBe(404);
  const object = await planned(bytes);
  expect((await verify(object, stranger)).status).toBe(404);
  const forged = object.actions.upload.href.replace(/\/lfs\/[0-9a-f]+$/, `/lfs/${randomBytes(16).toString('hex')}`);
  expect((await fetch(forged, { method: 'POST', headers: LFS_JSON, body: JSON.stringify({ oid: object.oid, parts: [] }) })).status).toBe(404);
  for (const body of [{ oid: sha256(Buffer.from('other')), parts: [] }, { parts: 'all' }, { parts: [{ partNumber: 1e9, etag: 'x' }] }, { parts: [{ partNumber: 1, etag: 'x'.repeat(300) }] }]) {
    // Refused before the bucket is asked. (A part list naming a part never sent reaches the bucket: s3rver then never
    // answers, and the API has no timeout on S3 calls; left as a finding, see the session's report.)
    const res = await complete(object, body);
    expect(res.status).toBe(400);
  }
  // Parts of the right bytes still complete it afterwards; a verify claiming another size is refused.
  const parts = await sendParts(object.actions.upload.header, bytes);
  expect((await complete(object, { oid: object.oid, parts })).status).toBe(200);
  expect((await verify(object, pusher, object.size + 1)).status).toBe(400);
  expect((await verify(object)).status).toBe(200);
}, 120_000);
