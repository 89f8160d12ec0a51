import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** An S3 store's client, bucket and key prefix: where direct uploads go. */
export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  prefix: string;
}

/** S3's limits: 10,000 parts of 5 MiB .. 5 GiB (the last may be smaller). */
export const MAX_PARTS = 10_000;
const MIN_PART = 16 * 1024 * 1024;
const MAX_COPY = 5 * 1024 ** 3;

export function partSizeFor(size: number): number {
  return Math.max(MIN_PART, Math.ceil(size / MAX_PARTS / (1024 * 1024)) * 1024 * 1024);
}

export async function createMultipart(t: MultipartTarget, key: string): Promise<string> {
  const created = await t.client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: key }));
  if (!created.UploadId) throw new Error('the store answered CreateMultipartUpload without an UploadId');
  return created.UploadId;
}

/** A PUT URL for one part, valid `ttlSeconds`: the client sends the part's bytes straight to the bucket. */
export function presignPart(t: MultipartTarget, key: string, uploadId: string, partNumber: number, ttlSeconds: number): Promise<string> {
  return getSignedUrl(t.client, new UploadPartCommand({ Bucket: t.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }), { expiresIn: ttlSeconds });
}

export async function completeMultipart(t: MultipartTarget, key: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]): Promise<void> {
  await t.client.send(
    new CompleteMultipartUploadCommand({
      Bucket: t.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
    }),
  );
}

export async function abortMultipart(t: MultipartTarget, key: string, uploadId: string): Promise<void> {
  await t.client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
}

/**
 * The assembled object's sha256 and size, read back whole: S3 gives no whole-object SHA-256 for a multipart
 * upload (its ETag is an MD5 of MD5s, and per-part checksums are not offered by every S3-compatible store).
 */
export async function hashObject(t: MultipartTarget, key: string): Promise<{ sha256: string; size: number }> {
  const response = await t.client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of response.Body as Readable) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export async function objectSize(t: MultipartTarget, key: string): Promise<number | null> {
  try {
    return (await t.client.send(new HeadObjectCommand({ Bucket: t.bucket, Key: key }))).ContentLength ?? 0;
  } catch {
    return null;
  }
}

/** Copies a verified object to its content-addressed key inside the bucket (no bytes through us); over 5 GiB in parts. */
export async function copyWithin(t: MultipartTarget, from: string, to: string, size: number, sha256: string): Promise<void> {
  const source = `${t.bucket}/${from}`;
  if (size <= MAX_COPY) {
    await t.client.send(new CopyObjectCommand({ Bucket: t.bucket, Key: to, CopySource: source, MetadataDirective: 'REPLACE', Metadata: { sha256 } }));
    return;
  }
  const uploadId = (await t.client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: to, Metadata: { sha256 } }))).UploadId ?? '';
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    const step = 1024 ** 3;
    for (let start = 0, n = 1; start < size; start += step, n++) {
      const end = Math.min(size, start + step) - 1;
      const copied = await t.client.send(new UploadPartCopyCommand({ Bucket: t.bucket, Key: to, UploadId: uploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}` }));
      parts.push({ PartNumber: n, ETag: copied.CopyPartResult?.ETag ?? '' });
    }
    await t.client.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: to, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    await abortMultipart(t, to, uploadId);
    throw error;
  }
}

export async function deleteObject(t: MultipartTarget, key: string): Promise<void> {
  await t.client.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key }));
}
