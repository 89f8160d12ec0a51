import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import type { FilesConfig } from '../config/files-config';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { detectFormat } from '../domain/artifacts/artifact-format';
import { ChecksumMismatchError, SizeMismatchError } from '../domain/artifacts/checksum.errors';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { filePath } from '../domain/files/file-path';
import { UploadCutError } from '../domain/files/files.errors';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import type { StorageUsageService } from './storage-usage.service';
import type { StoreRegistry } from './store-registry';
import { appendLockHeld, dropAppendLock, tryAppendLock } from '../storage/append-lock';
import { readHead } from '../storage/file-head';
import { hashFile } from '../storage/content-hashes';
import type { ProjectAccessService } from './project-access.service';
import type { VersionFilesService } from './version-files.service';
import { readableSql } from './version-files-read';

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
const ACTION = 'Uploading files';

/** What one request's body left in the part file, and whether it ended or was cut. */
interface Appended {
  now: UploadSession;
  cut: boolean;
}

/**
 * Resumable uploads into a DRAFT version (the tus protocol's model: create with a length, append at the
 * current offset, resume after a cut from what arrived). Bytes go to a part file on local disk, never into
 * memory; the last byte hashes the file, stores it under its sha256 (the store's durable adopt, as imports do)
 * and lists it in the version. One request at a time may append to a session. Every step needs the editor role
 * in the version's project; a session of a project the caller cannot read is NOT_FOUND like an unknown id.
 */
export class UploadService {
  /** Appends in flight, by session: a HEAD waits for one to settle (a cut PATCH is noticed a moment later). */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly files: VersionFilesService,
    private readonly access: ProjectAccessService,
    private readonly config: Pick<FilesConfig, 'uploadDir' | 'uploadMaxBytes' | 'uploadExpiryMs'>,
    private readonly usage: StorageUsageService,
  ) {}

  /** `declared`: the length is the client's (not a ceiling for a body of unknown length), so the quota is checked now. */
  async create(caller: Caller, upload: NewUpload, declared = true): Promise<UploadSession> {
    const versionId = uuid('versionId', upload.versionId);
    const target = filePath('path', upload.path);
    if (!Number.isSafeInteger(upload.length) || upload.length < 0) throw new ValidationError('length', 'must be a whole number of bytes');
    if (upload.length > this.config.uploadMaxBytes) throw new ValidationError('length', `must be at most ${this.config.uploadMaxBytes} bytes (UPLOAD_MAX_BYTES)`);
    const expected = upload.sha256 ? upload.sha256.toLowerCase() : null;
    if (expected !== null && !SHA256.test(expected)) throw new ValidationError('sha256', 'must be 64 hex characters');
    const id = randomBytes(16).toString('hex');
    await this.access.authorize(caller, 'Version', versionId, Role.EDITOR, ACTION);
    if (declared && upload.length > 0) await this.usage.assertRoom(versionId, BigInt(upload.length));
    await mkdir(this.config.uploadDir, { recursive: true });
    // Checked under the version's lock so an upload never starts on a version being submitted.
    await this.files.inDraft(caller, versionId, ACTION, async (tx) => {
      await tx.query(
        `INSERT INTO upload_sessions (id, version_id, path, length, expected_sha256, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, now() + ($7 || ' milliseconds')::interval)`,
        [id, versionId, target, upload.length, expected, caller.subject.slice(0, 256), String(this.config.uploadExpiryMs)],
      );
    });
    await (await open(this.partPath(id), 'w')).close();
    const session = await this.read(caller, id);
    if (upload.length === 0) return this.finish(caller, session);
    return session;
  }

  async get(caller: Caller, id: string): Promise<UploadSession> {
    if (!SESSION_ID.test(id)) throw new NotFoundError('Upload', id.slice(0, 64));
    // The offset a client resumes from must not move afterwards: let an append whose client left end first.
    const inFlight = this.busy.get(id);
    if (inFlight) await Promise.race([inFlight.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS))]);
    // An append by another API process of this host (API_PROCESSES > 1): its lock file says so.
    for (const until = Date.now() + BUSY_WAIT_MS; Date.now() < until && (await appendLockHeld(this.partPath(id))); ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const session = await this.read(caller, id);
    await this.access.authorize(caller, 'Version', session.versionId, Role.EDITOR, ACTION);
    return session;
  }

  private async read(caller: Caller, id: string): Promise<UploadSession> {
    const scope = readableSql(caller, 2);
    const [row] = (await this.db.query(
      `SELECT s.* FROM upload_sessions s JOIN model_versions v ON v.id = s.version_id JOIN models m ON m.id = v.model_id
        WHERE s.id = $1 AND (s.expires_at > now() OR s.sha256 IS NOT NULL)${scope.sql}`,
      [id, ...scope.params],
    )) as SessionRow[];
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
  async append(caller: Caller, id: string, offset: number, body: Readable): Promise<UploadSession> {
    const session = await this.get(caller, id);
    if (session.sha256 !== null) throw new ConflictError('This upload is already complete', { offset: session.offset });
    if (offset !== session.offset) throw new ConflictError(`The upload stands at byte ${session.offset}, not ${offset}`, { offset: session.offset });
    const { now } = await this.exclusive(session, () => this.appendBody(caller, session, body));
    return now.offset === now.length ? await this.finish(caller, now) : now;
  }

  /** One append per session: in this process (`busy`) and across the host's API processes (a lock file beside the part). */
  private async exclusive<T>(session: UploadSession, work: () => Promise<T>): Promise<T> {
    if (this.busy.has(session.id)) throw new ConflictError('Another request is appending to this upload', { offset: session.offset });
    let settle = () => {};
    this.busy.set(session.id, new Promise<void>((resolve) => (settle = resolve)));
    try {
      const release = await tryAppendLock(this.partPath(session.id));
      if (!release) throw new ConflictError('Another request is appending to this upload', { offset: session.offset });
      try {
        return await work();
      } finally {
        await release();
      }
    } finally {
      this.busy.delete(session.id);
      settle();
    }
  }

  private async appendBody(caller: Caller, session: UploadSession, body: Readable): Promise<Appended> {
    let received = session.offset;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > session.length) done(new ValidationError('body', `the upload is ${session.length} bytes long; more arrived`));
        else done(null, chunk);
      },
    });
    let cut = false;
    try {
      await pipeline(body, limit, createWriteStream(this.partPath(session.id), { flags: 'a' }));
    } catch (error) {
      if (error instanceof ValidationError) {
        await rm(this.partPath(session.id), { force: true }); // a body longer than declared leaves nothing to resume
        throw error;
      }
      // A cut connection: what was written stays and is where a resumable client continues (HEAD tells it).
      cut = true;
    }
    // An HTTP request whose connection closed before its message ended ('aborted' before 'end') is cut too.
    cut ||= (body as { complete?: unknown }).complete === false;
    return { now: await this.read(caller, session.id), cut };
  }

  /** Removes an unfinished upload and its bytes. */
  async terminate(caller: Caller, id: string): Promise<void> {
    const session = await this.get(caller, id);
    if (session.sha256 !== null) throw new ConflictError('A finished upload is part of the version; remove the file instead');
    await this.discard(session.id);
  }

  private async discard(id: string): Promise<void> {
    await this.db.query('DELETE FROM upload_sessions WHERE id = $1 AND sha256 IS NULL', [id]);
    await rm(this.partPath(id), { force: true });
    await dropAppendLock(this.partPath(id));
  }

  /**
   * One request, one file (curl -T): streamed to a part file while hashed, then stored like a finished resumable
   * upload. Not resumable: a body that did not arrive whole (short of its Content-Length, or a chunked body cut
   * before its last chunk) stores nothing and leaves nothing behind. Large files go through the resumable protocol.
   */
  async putWhole(caller: Caller, upload: Omit<NewUpload, 'length'> & { length: number | null }, body: Readable): Promise<ManifestEntry> {
    const session = await this.create(caller, { ...upload, length: upload.length ?? this.config.uploadMaxBytes }, upload.length !== null);
    if (session.sha256 !== null) return this.entryOf(caller, session);
    try {
      const { now, cut } = await this.exclusive(session, () => this.appendBody(caller, session, body));
      if (upload.length !== null && now.offset !== now.length) throw new SizeMismatchError(now.path, now.length, now.offset);
      if (cut) throw new UploadCutError(now.path, now.offset);
      if (upload.length === null) {
        // Chunked, and it ended with its last chunk: the body's end is the file's end.
        await this.db.query('UPDATE upload_sessions SET length = $2 WHERE id = $1', [session.id, now.offset]);
      }
      return this.entryOf(caller, await this.finish(caller, { ...now, length: now.offset }));
    } catch (error) {
      await this.discard(session.id);
      throw error;
    }
  }

  private async entryOf(caller: Caller, session: UploadSession): Promise<ManifestEntry> {
    const entry = await this.files.file(caller, session.versionId, session.path);
    if (!entry) throw new NotFoundError('File', session.path);
    return entry;
  }

  /** Hashes the complete part file, checks it, stores it under its digest and lists it in the version. */
  private async finish(caller: Caller, session: UploadSession): Promise<UploadSession> {
    const part = this.partPath(session.id);
    const hash = createHash('sha256');
    await hashFile(part, hash);
    const sha256 = hash.digest('hex');
    const size = (await stat(part)).size;
    if (size !== session.length) throw new SizeMismatchError(session.path, session.length, size);
    if (session.expectedSha256 !== null && session.expectedSha256 !== sha256) {
      await this.discard(session.id);
      throw new ChecksumMismatchError(session.path, session.expectedSha256, sha256);
    }
    const format = detectFormat(session.path, await readHead(part));
    await this.usage.assertRoom(session.versionId, BigInt(size));
    const { store } = await this.stores.forVersion(session.versionId);
    await store.adoptStagedFile(part, { sha256, size });
    await this.files.putFile(caller, session.versionId, session.path, { sha256, size, format });
    await this.db.query('UPDATE upload_sessions SET sha256 = $2, finished_at = now() WHERE id = $1', [session.id, sha256]);
    return { ...session, offset: size, sha256 };
  }

  private partPath(id: string): string {
    return path.join(this.config.uploadDir, `${id}.part`);
  }
}
