import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FilesConfig } from '../config/files-config';
import { ChecksumMismatchError, SizeMismatchError } from '../domain/artifacts/checksum.errors';
import { ValidationError } from '../domain/common/domain-error';
import { UploadCutError } from '../domain/files/files.errors';
import type { ArtifactStore, StoredBlob } from '../storage/artifact-store';
import { readHead } from '../storage/file-head';

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

/**
 * Bytes of a known length straight into the content-addressed store, for uploads that name no version yet (the hub
 * protocol's LFS PUT, the regular files of its ndjson commit; the storage issue's multipart parts can finish here):
 * streamed to a part file in the upload folder while hashed, never held in memory, then checked (length, sha256)
 * and adopted durably under their digest, as a finished upload is. A body cut short, longer than declared or
 * hashing to another digest stores nothing and leaves no part file. It touches no project data (the store is
 * shared and content-addressed; a blob belongs to a project only once a version lists it), so it takes no Caller:
 * whoever calls it has already checked the caller may write.
 */
export class DirectUploadService {
  constructor(
    private readonly store: ArtifactStore,
    private readonly config: Pick<FilesConfig, 'uploadDir' | 'uploadMaxBytes'>,
  ) {}

  /** The size limit of every upload (UPLOAD_MAX_BYTES), checked before any byte is read. */
  requireSize(label: string, size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError('size', `${label}: the size must be a whole number of bytes`);
    if (size > this.config.uploadMaxBytes) throw new ValidationError('size', `${label} is ${size} bytes; uploads are at most ${this.config.uploadMaxBytes} bytes (UPLOAD_MAX_BYTES)`);
  }

  /** `store`: where the blob goes (the store new versions of the pushing model are created in); default, the one given at construction. */
  async receive(expected: ExpectedBlob, body: Readable, store: ArtifactStore = this.store): Promise<ReceivedBlob> {
    this.requireSize(expected.label, expected.size);
    await mkdir(this.config.uploadDir, { recursive: true });
    const part = path.join(this.config.uploadDir, `direct-${randomBytes(16).toString('hex')}.part`);
    const hash = createHash('sha256');
    let received = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
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
      return { sha256, size: received, head };
    } finally {
      await rm(part, { force: true });
    }
  }
}
