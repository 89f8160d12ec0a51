import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { blobKey, type ArtifactStore, type StoredBlob, type UploadedFile } from './artifact-store';

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

  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint ?? undefined,
      forcePathStyle: options.forcePathStyle,
    });
  }

  async adoptStagedFile(stagingPath: string, blob: StoredBlob): Promise<void> {
    if (!(await this.has(blob.sha256))) {
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
    return this.get(blobKey(sha256), start, length);
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
