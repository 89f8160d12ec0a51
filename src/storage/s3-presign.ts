import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { blobKey } from './artifact-store';
import type { S3StoreOptions } from './s3-artifact-store';

/** Presigns GETs of blobs, so large downloads from an S3 store go straight to S3 instead of through the API. */
export type BlobPresigner = (sha256: string, fileName: string, ttlSeconds: number) => Promise<string>;

export function createBlobPresigner(options: S3StoreOptions): BlobPresigner {
  const client = new S3Client({ region: options.region, endpoint: options.endpoint ?? undefined, forcePathStyle: options.forcePathStyle });
  return (sha256, fileName, ttlSeconds) =>
    getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: options.bucket,
        Key: blobKey(sha256),
        // The blob's key is its digest: name the file as the version does for whoever saves it.
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      }),
      { expiresIn: ttlSeconds },
    );
}
