import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ChecksumMismatchError, SizeMismatchError } from '../../domain/artifacts/checksum.errors';
import { ValidationError } from '../../domain/common/domain-error';
import { UploadCutError } from '../../domain/files/files.errors';
import { metrics } from '../../observability/metrics';
import type { ArtifactStore, StoredBlob } from '../../storage/artifact-store';
import { readHead } from '../../storage/file-head';

export interface ExpectedBlob {
  /** What the error messages name (a path, or `LFS object <oid>`). */
  label: string;
  size: number;
  /** When given, the bytes must hash to it; otherwise whatever arrived whole is stored under its own digest. */
  sha256: string | null;
}

export interface ReceivedBlob extends StoredBlob {
  /** The first bytes (format detection reads them). */
  head: Buffer;
}

/** Part files of this transfer in the upload folder; what a crash leaves there, the upload sweeper removes. */
export const STREAM_PART = /^direct-[0-9a-f]{32}\.part$/;

/**
 * The through-API strategy of the direct-upload service (filesystem stores, and every store for bytes that arrive
 * inside a request, like the regular files of a hub commit): streamed to a part file in the upload folder while
 * hashed, never held in memory, then checked (length, sha256) and adopted durably under their digest. A body cut
 * short, longer than declared or hashing to another digest stores nothing and leaves no part file.
 */
export async function receiveThroughApi(uploadDir: string, expected: ExpectedBlob, body: Readable, store: ArtifactStore): Promise<ReceivedBlob> {
  await mkdir(uploadDir, { recursive: true });
  const part = path.join(uploadDir, `direct-${randomBytes(16).toString('hex')}.part`);
  const hash = createHash('sha256');
  let received = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      metrics.uploadBodyBytes.inc(chunk.length);
      if (received > expected.size) done(new ValidationError('body', `${expected.label} is ${expected.size} bytes long; more arrived`));
      else {
        hash.update(chunk);
        done(null, chunk);
      }
    },
  });
  try {
    try {
      await pipeline(body, counted, createWriteStream(part));
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw new UploadCutError(expected.label, received);
    }
    // An HTTP request whose connection closed before its message ended is cut even when the stream ended quietly.
    if ((body as { complete?: unknown }).complete === false) throw new UploadCutError(expected.label, received);
    if (received !== expected.size) throw new SizeMismatchError(expected.label, expected.size, received);
    const sha256 = hash.digest('hex');
    if (expected.sha256 !== null && expected.sha256 !== sha256) throw new ChecksumMismatchError(expected.label, expected.sha256, sha256);
    const head = await readHead(part, 512);
    await store.adoptStagedFile(part, { sha256, size: received });
    metrics.uploadBytes.inc({ transfer: 'through_api' }, received);
    return { sha256, size: received, head };
  } finally {
    await rm(part, { force: true });
  }
}
