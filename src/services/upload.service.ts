import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import type { FilesConfig } from '../config/files-config';
import { detectFormat } from '../domain/artifacts/artifact-format';
import { ChecksumMismatchError, SizeMismatchError } from '../domain/artifacts/checksum.errors';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { filePath } from '../domain/files/file-path';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import type { ArtifactStore } from '../storage/artifact-store';
import { readHead } from '../storage/file-head';
import { hashFile } from '../storage/content-hashes';
import type { VersionFilesService } from './version-files.service';

export interface UploadSession {
  id: string;
  versionId: string;
  path: string;
  length: number;
  /** Bytes received so far (the size of the part file: what a resumed upload continues from). */
  offset: number;
  expectedSha256: string | null;
  expiresAt: Date;
  /** Set once the last byte arrived and the blob was stored and listed in the version. */
  sha256: string | null;
}

interface SessionRow {
  id: string;
  version_id: string;
  path: string;
  length: string;
  expected_sha256: string | null;
  expires_at: Date;
  sha256: string | null;
}

export interface NewUpload {
  versionId: string;
  path: string;
  length: number;
  /** When given, the stored bytes must hash to it (BAD_USER_INPUT otherwise, nothing listed). */
  sha256?: string | null;
}

const SHA256 = /^[0-9a-f]{64}$/;
const SESSION_ID = /^[0-9a-f]{32}$/;
const BUSY_WAIT_MS = 10_000;

/**
 * Resumable uploads into a DRAFT version (the tus protocol's model: create with a length, append at the
 * current offset, resume after a cut from what arrived). Bytes go to a part file on local disk, never into
 * memory; the last byte hashes the file, stores it under its sha256 (the store's durable adopt, as imports do)
 * and lists it in the version. One request at a time may append to a session.
 */
export class UploadService {
  /** Appends in flight, by session: a HEAD waits for one to settle (a cut PATCH is noticed a moment later). */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly files: VersionFilesService,
    private readonly config: Pick<FilesConfig, 'uploadDir' | 'uploadMaxBytes' | 'uploadExpiryMs'>,
  ) {}

  async create(upload: NewUpload, actor: string): Promise<UploadSession> {
    const versionId = uuid('versionId', upload.versionId);
    const target = filePath('path', upload.path);
    if (!Number.isSafeInteger(upload.length) || upload.length < 0) throw new ValidationError('length', 'must be a whole number of bytes');
    if (upload.length > this.config.uploadMaxBytes) throw new ValidationError('length', `must be at most ${this.config.uploadMaxBytes} bytes (UPLOAD_MAX_BYTES)`);
    const expected = upload.sha256 ? upload.sha256.toLowerCase() : null;
    if (expected !== null && !SHA256.test(expected)) throw new ValidationError('sha256', 'must be 64 hex characters');
    const id = randomBytes(16).toString('hex');
    await mkdir(this.config.uploadDir, { recursive: true });
    // Checked under the version's lock so an upload never starts on a version being submitted.
    await this.files.inDraft(versionId, async (tx) => {
      await tx.query(
        `INSERT INTO upload_sessions (id, version_id, path, length, expected_sha256, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, now() + ($7 || ' milliseconds')::interval)`,
        [id, versionId, target, upload.length, expected, actor.slice(0, 256), String(this.config.uploadExpiryMs)],
      );
    });
    await (await open(this.partPath(id), 'w')).close();
    const session = await this.get(id);
    if (upload.length === 0) return this.finish(session, actor);
    return session;
  }

  async get(id: string): Promise<UploadSession> {
    if (!SESSION_ID.test(id)) throw new NotFoundError('Upload', id.slice(0, 64));
    // The offset a client resumes from must not move afterwards: let an append whose client left end first.
    const inFlight = this.busy.get(id);
    if (inFlight) await Promise.race([inFlight.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS))]);
    return this.read(id);
  }

  private async read(id: string): Promise<UploadSession> {
    const [row] = (await this.db.query('SELECT * FROM upload_sessions WHERE id = $1 AND (expires_at > now() OR sha256 IS NOT NULL)', [id])) as SessionRow[];
    if (!row) throw new NotFoundError('Upload', id);
    const offset = row.sha256 !== null ? Number(row.length) : await stat(this.partPath(id)).then((s) => s.size, () => null);
    if (offset === null) throw new NotFoundError('Upload', id); // its bytes were swept from staging
    return {
      id: row.id,
      versionId: row.version_id,
      path: row.path,
      length: Number(row.length),
      offset,
      expectedSha256: row.expected_sha256,
      expiresAt: row.expires_at,
      sha256: row.sha256,
    };
  }

  /**
   * Appends `body` at `offset` (which must be where the upload stands). Bytes past the declared length are
   * refused; a cut connection keeps what arrived, which the next append continues from.
   */
  async append(id: string, offset: number, body: Readable, actor: string): Promise<UploadSession> {
    const session = await this.get(id);
    if (session.sha256 !== null) throw new ConflictError('This upload is already complete', { offset: session.offset });
    if (offset !== session.offset) throw new ConflictError(`The upload stands at byte ${session.offset}, not ${offset}`, { offset: session.offset });
    if (this.busy.has(id)) throw new ConflictError('Another request is appending to this upload', { offset: session.offset });
    const work = this.appendAt(session, body, actor);
    this.busy.set(id, work);
    try {
      return await work;
    } finally {
      this.busy.delete(id);
    }
  }

  private async appendAt(session: UploadSession, body: Readable, actor: string): Promise<UploadSession> {
    let received = session.offset;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > session.length) done(new ValidationError('body', `the upload is ${session.length} bytes long; more arrived`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, limit, createWriteStream(this.partPath(session.id), { flags: 'a' }));
    } catch (error) {
      if (error instanceof ValidationError) {
        await rm(this.partPath(session.id), { force: true }); // a body longer than declared leaves nothing to resume
        throw error;
      }
      // A cut connection: what was written stays and is where the client resumes (HEAD tells it).
    }
    const now = await this.read(session.id);
    return now.offset === now.length ? await this.finish(now, actor) : now;
  }

  /** Removes an unfinished upload and its bytes. */
  async terminate(id: string): Promise<void> {
    const session = await this.get(id);
    if (session.sha256 !== null) throw new ConflictError('A finished upload is part of the version; remove the file instead');
    await this.db.query('DELETE FROM upload_sessions WHERE id = $1', [id]);
    await rm(this.partPath(id), { force: true });
  }

  /**
   * One request, one file (curl -T): streamed to a part file while hashed, then stored like a finished
   * resumable upload. Not resumable; large files go through the resumable protocol.
   */
  async putWhole(upload: Omit<NewUpload, 'length'> & { length: number | null }, body: Readable, actor: string): Promise<ManifestEntry> {
    const session = await this.create({ ...upload, length: upload.length ?? this.config.uploadMaxBytes }, actor);
    if (session.sha256 !== null) return this.entryOf(session);
    const done = await this.append(session.id, 0, body, actor);
    if (done.sha256 !== null) return this.entryOf(done);
    if (upload.length === null) {
      // No Content-Length (chunked): the body's end is the file's end.
      await this.db.query('UPDATE upload_sessions SET length = $2 WHERE id = $1', [session.id, done.offset]);
      return this.entryOf(await this.finish({ ...done, length: done.offset }, actor));
    }
    await this.terminate(session.id);
    throw new SizeMismatchError(done.path, done.length, done.offset);
  }

  private async entryOf(session: UploadSession): Promise<ManifestEntry> {
    const entry = await this.files.file(session.versionId, session.path);
    if (!entry) throw new NotFoundError('File', session.path);
    return entry;
  }

  /** Hashes the complete part file, checks it, stores it under its digest and lists it in the version. */
  private async finish(session: UploadSession, actor: string): Promise<UploadSession> {
    const part = this.partPath(session.id);
    const hash = createHash('sha256');
    await hashFile(part, hash);
    const sha256 = hash.digest('hex');
    const size = (await stat(part)).size;
    if (size !== session.length) throw new SizeMismatchError(session.path, session.length, size);
    if (session.expectedSha256 !== null && session.expectedSha256 !== sha256) {
      await rm(part, { force: true });
      await this.db.query('DELETE FROM upload_sessions WHERE id = $1', [session.id]);
      throw new ChecksumMismatchError(session.path, session.expectedSha256, sha256);
    }
    const format = detectFormat(session.path, await readHead(part));
    await this.store.adoptStagedFile(part, { sha256, size });
    await this.files.putFile(session.versionId, session.path, { sha256, size, format }, actor);
    await this.db.query('UPDATE upload_sessions SET sha256 = $2, finished_at = now() WHERE id = $1', [session.id, sha256]);
    return { ...session, offset: size, sha256 };
  }

  private partPath(id: string): string {
    return path.join(this.config.uploadDir, `${id}.part`);
  }
}
