import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { S3ArtifactStore } from '../../src/storage/s3-artifact-store';
import { safetensors, sha256, tinyLlamaTensors } from '../fixtures/model-files';
import { freePort } from '../support/free-port';

/** The S3 store against s3rver, a real S3 protocol server on loopback (MinIO is not installable here). */
let dir: string;
let server: S3rver;
let endpoint: string;
const bucket = 'modelhub-artifacts';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-s3-'));
  const port = await freePort();
  server = new S3rver({ port, address: '127.0.0.1', directory: path.join(dir, 's3'), silent: true });
  await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'uploads/team/m1/config.json', Body: '{"a":1}' }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'uploads/team/m1/sub/model.bin', Body: Buffer.alloc(10, 7) }));
  client.destroy();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('adopts a staged file under its digest once, reads ranges back and lists uploads', async () => {
  const store = new S3ArtifactStore({ endpoint, bucket, region: 'us-east-1', forcePathStyle: true });
  const data = safetensors(tinyLlamaTensors());
  const blob = { sha256: sha256(data), size: data.length };
  expect(await store.has(blob.sha256)).toBe(false);
  const staged = path.join(dir, 'staged.part');
  await writeFile(staged, data);
  await store.adoptStagedFile(staged, blob);
  await expect(stat(staged)).rejects.toThrow(); // the local staging copy is gone once stored
  expect(await store.has(blob.sha256)).toBe(true);
  expect(sha256(await text(await store.read(blob.sha256)))).toBe(blob.sha256);
  expect(await text(await store.read(blob.sha256, 8, 16))).toEqual(data.subarray(8, 24));

  expect(await store.listUploads('team/m1')).toEqual([
    { path: 'config.json', size: 7 },
    { path: 'sub/model.bin', size: 10 },
  ]);
  expect((await text(await store.readUpload('team/m1', 'sub/model.bin', 4))).length).toBe(6);
});
