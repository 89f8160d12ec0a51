import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { blobKey, SHA256, type ArtifactStore, type BlobInfo, type StoredBlob, type StoreProbe, type UploadedFile } from './artifact-store';
import { type CorruptionReporter, verifyingStream } from './blob-integrity';

export interface S3StoreOptions {
  endpoint: string | null;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  /** Keys are written under this prefix (empty, or ending in "/"): several stores may share a bucket. */
  prefix?: string;
  /** A named store's own credentials; absent, the AWS SDK's default chain (the environment's store). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** A request whose socket stays silent this long fails (default 120 s): a hung bucket must not hold requests forever. */
  idleTimeoutMs?: number;
}

/** Connecting to a bucket takes at most this long. */
const S3_CONNECT_TIMEOUT_MS = 10_000;
/** Silence on a request's socket before it fails; data flowing (a long readback) never trips it. */
const S3_IDLE_TIMEOUT_MS = 120_000;

export function s3Client(options: S3StoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint ?? undefined,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // A store that went away must answer soon, not after the SDK's default retries and socket timeouts; one that
    // accepts a request and never answers (seen with s3rver on a part list naming a part never sent) fails too.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS, socketTimeout: options.idleTimeoutMs ?? S3_IDLE_TIMEOUT_MS },
  });
}

/** S3-compatible storage (AWS S3, MinIO); credentials come from the AWS SDK's default chain. */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(
    private readonly options: S3StoreOptions,
    private readonly onCorrupt: CorruptionReporter = () => undefined,
  ) {
    this.client = s3Client(options);
  }

  private get prefix(): string {
    return this.options.prefix ?? '';
  }

  private blob(sha256: string): string {
    return this.prefix + blobKey(sha256);
  }

  async adoptStagedFile(stagingPath: string, blob: StoredBlob): Promise<void> {
    if (await this.has(blob.sha256)) {
      await this.touch(this.blob(blob.sha256)); // reused: restart the collector's grace period
    } else {
      // Multipart upload streams the file: memory stays at partSize × queueSize whatever the file size.
      await new Upload({
        client: this.client,
        params: {
          Bucket: this.options.bucket,
          Key: this.blob(blob.sha256),
          Body: createReadStream(stagingPath),
          ContentLength: blob.size,
          Metadata: { sha256: blob.sha256 },
        },
        partSize: 16 * 1024 * 1024,
        queueSize: 4,
      }).done();
    }
    await rm(stagingPath, { force: true });
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.blob(sha256) }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  async read(sha256: string, start = 0, length?: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    const body = await this.get(this.blob(sha256), start, length);
    if (start !== 0 || length !== undefined) return body;
    return verifyingStream(body, sha256, (actual) => this.quarantine(sha256, actual));
  }

  async *listBlobs(): AsyncIterable<BlobInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: `${this.prefix}blobs/sha256/`, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.split('/').pop() ?? '';
        if (SHA256.test(sha256)) yield { sha256, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async statBlob(sha256: string): Promise<BlobInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.blob(sha256) }));
      // Some S3 implementations keep LastModified on a copy onto itself: the time `touch` wrote counts too.
      const touched = Date.parse(head.Metadata?.touched ?? '');
      const modified = Math.max(head.LastModified?.getTime() ?? 0, Number.isNaN(touched) ? 0 : touched);
      return { sha256, size: head.ContentLength ?? 0, modifiedAt: new Date(modified) };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async deleteBlob(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.blob(sha256) }));
  }

  /** S3 has no rename: copy under quarantine/, then delete the addressable key. */
  private async quarantine(sha256: string, actual: string): Promise<string | null> {
    const target = `${this.prefix}quarantine/sha256/${sha256}.${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const { bucket } = this.options;
    await this.client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: target,
        CopySource: `${bucket}/${this.blob(sha256)}`,
        MetadataDirective: 'REPLACE',
        Metadata: { sha256, actual },
      }),
    );
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.blob(sha256) }));
    this.onCorrupt({ sha256, actual, quarantinedAt: `s3://${bucket}/${target}` });
    return target;
  }

  /** Copying an object onto itself with new metadata is S3's way to refresh LastModified (and `touched` says it too). */
  private async touch(key: string): Promise<void> {
    const { bucket } = this.options;
    await this.client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${key}`, MetadataDirective: 'REPLACE', Metadata: { sha256: key.split('/').pop() ?? '', touched: new Date().toISOString() } }),
    );
  }

  async listUploads(prefix: string): Promise<UploadedFile[]> {
    const base = `${this.prefix}uploads/${prefix.replace(/\/+$/, '')}/`;
    const files: UploadedFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: base, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) files.push({ path: object.Key.slice(base.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  async readUpload(prefix: string, file: string, start = 0): Promise<Readable> {
    return this.get(`${this.prefix}uploads/${prefix.replace(/\/+$/, '')}/${file}`, start);
  }

  private async get(key: string, start: number, length?: number): Promise<Readable> {
    const range = start > 0 || length !== undefined ? `bytes=${start}-${length === undefined ? '' : start + length - 1}` : undefined;
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key, Range: range }));
    return response.Body as Readable;
  }

  async probe(): Promise<StoreProbe> {
    const key = `${this.prefix}.probe/${randomUUID()}`;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: 'probe' }));
    } catch (error) {
      // An answer (403, 404 NoSuchBucket) means reachable but not writable; no answer is unreachable.
      if (statusOf(error) !== undefined) return { writable: false, freeBytes: null };
      throw error;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
    return { writable: true, freeBytes: null };
  }

  localPath(): null {
    return null;
  }

  presignGet(sha256: string, fileName: string, ttlSeconds: number): Promise<string | null> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.blob(sha256),
        // The blob's key is its digest: name the file as the version does for whoever saves it.
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      }),
      { expiresIn: ttlSeconds },
    );
  }

  /** The client, bucket and key prefix, for the direct-upload service (multipart presigning). */
  get target(): { client: S3Client; bucket: string; prefix: string } {
    return { client: this.client, bucket: this.options.bucket, prefix: this.prefix };
  }
}

/** The HTTP status S3 answered with; undefined when it did not answer at all. */
export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
