import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { blobKey, SHA256, type ArtifactStore, type BlobInfo, type StoredBlob, type UploadedFile } from './artifact-store';
import { type CorruptionReporter, verifyingStream } from './blob-integrity';

export interface S3StoreOptions {
  endpoint: string | null;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
}

/** S3-compatible storage (AWS S3, MinIO); credentials come from the AWS SDK's default chain. */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(
    private readonly options: S3StoreOptions,
    private readonly onCorrupt: CorruptionReporter = () => undefined,
  ) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint ?? undefined,
      forcePathStyle: options.forcePathStyle,
    });
  }

  async adoptStagedFile(stagingPath: string, blob: StoredBlob): Promise<void> {
    if (await this.has(blob.sha256)) {
      await this.touch(blobKey(blob.sha256)); // reused: restart the collector's grace period
    } else {
      // Multipart upload streams the file: memory stays at partSize × queueSize whatever the file size.
      await new Upload({
        client: this.client,
        params: {
          Bucket: this.options.bucket,
          Key: blobKey(blob.sha256),
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
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: blobKey(sha256) }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  async read(sha256: string, start = 0, length?: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    const body = await this.get(blobKey(sha256), start, length);
    if (start !== 0 || length !== undefined) return body;
    return verifyingStream(body, sha256, (actual) => this.quarantine(sha256, actual));
  }

  async *listBlobs(): AsyncIterable<BlobInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: 'blobs/sha256/', ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.split('/').pop() ?? '';
        if (SHA256.test(sha256)) yield { sha256, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async statBlob(sha256: string): Promise<BlobInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: blobKey(sha256) }));
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
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: blobKey(sha256) }));
  }

  /** S3 has no rename: copy under quarantine/, then delete the addressable key. */
  private async quarantine(sha256: string, actual: string): Promise<string | null> {
    const target = `quarantine/sha256/${sha256}.${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const { bucket } = this.options;
    await this.client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: target,
        CopySource: `${bucket}/${blobKey(sha256)}`,
        MetadataDirective: 'REPLACE',
        Metadata: { sha256, actual },
      }),
    );
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: blobKey(sha256) }));
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
    const base = `uploads/${prefix.replace(/\/+$/, '')}/`;
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
    return this.get(`uploads/${prefix.replace(/\/+$/, '')}/${file}`, start);
  }

  private async get(key: string, start: number, length?: number): Promise<Readable> {
    const range = start > 0 || length !== undefined ? `bytes=${start}-${length === undefined ? '' : start + length - 1}` : undefined;
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key, Range: range }));
    return response.Body as Readable;
  }
}
