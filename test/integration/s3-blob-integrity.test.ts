import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { blobKey } from '../../src/storage/artifact-store';
import { CorruptBlobError } from '../../src/storage/blob-integrity';
import { S3ArtifactStore } from '../../src/storage/s3-artifact-store';
import { freePort } from '../support/free-port';

/** The S3 store's collector and integrity paths against s3rver, a real S3 protocol server on loopback. */
let dir: string;
let server: S3rver;
let client: S3Client;
let store: S3ArtifactStore;
const reports: unknown[] = [];
const bucket = 'modelhub-blob-integrity';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-s3-integrity-'));
  const port = await freePort();
  server = new S3rver({ port, address: '127.0.0.1', directory: path.join(dir, 's3'), silent: true });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new S3ArtifactStore({ endpoint, bucket, region: 'us-east-1', forcePathStyle: true }, (report) => reports.push(report));
});
afterAll(async () => {
  client.destroy();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function adopt(bytes: Buffer): Promise<string> {
  const staged = path.join(dir, `${sha256(bytes)}.part`);
  await writeFile(staged, bytes);
  await store.adoptStagedFile(staged, { sha256: sha256(bytes), size: bytes.length });
  return sha256(bytes);
}

test('listing, stat and delete for the collector; adopting a stored digest again refreshes its time', async () => {
  const digest = await adopt(Buffer.from('collector bytes'));
  const first = await store.statBlob(digest);
  expect(first).toMatchObject({ sha256: digest, size: 15 });
  const listed: string[] = [];
  for await (const blob of store.listBlobs()) listed.push(blob.sha256);
  expect(listed).toContain(digest);

  await new Promise((resolve) => setTimeout(resolve, 1100)); // S3 times have one-second resolution
  await adopt(Buffer.from('collector bytes'));
  expect((await store.statBlob(digest))!.modifiedAt.getTime()).toBeGreaterThan(first!.modifiedAt.getTime());

  await store.deleteBlob(digest);
  expect(await store.statBlob(digest)).toBeNull();
  expect(await store.has(digest)).toBe(false);
});

test('an object whose bytes no longer match its key is quarantined and its read fails before the end', async () => {
  const bytes = Buffer.alloc(2 * 1024 * 1024, 3);
  const digest = await adopt(bytes);
  const rotten = Buffer.from(bytes);
  rotten[1000] ^= 0xff;
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: blobKey(digest), Body: rotten })); // rot at rest

  let received = 0;
  const reading = (async () => {
    for await (const chunk of await store.read(digest)) received += (chunk as Buffer).length;
  })();
  await expect(reading).rejects.toBeInstanceOf(CorruptBlobError);
  expect(received).toBeLessThan(bytes.length);
  expect(await store.has(digest)).toBe(false);
  const quarantine = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `quarantine/sha256/${digest}` }));
  expect(quarantine.Contents).toHaveLength(1);
  expect(reports).toEqual([{ sha256: digest, actual: sha256(rotten), quarantinedAt: `s3://${bucket}/${quarantine.Contents![0].Key}` }]);
});
