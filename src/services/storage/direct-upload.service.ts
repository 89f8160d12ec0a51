import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ChecksumMismatchError, SizeMismatchError } from '../../domain/artifacts/checksum.errors';
import { detectFormat } from '../../domain/artifacts/artifact-format';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/common/domain-error';
import { uuid } from '../../domain/common/field-rules';
import { filePath } from '../../domain/files/file-path';
import type { ManifestEntry } from '../../domain/onboarding/manifest';
import { blobKey, SHA256 } from '../../storage/artifact-store';
import type { S3ArtifactStore } from '../../storage/s3-artifact-store';
import { abortMultipart, completeMultipart, copyWithin, createMultipart, deleteObject, hashObject, MAX_PARTS, type MultipartTarget, partSizeFor, presignPart } from '../../storage/s3-multipart';
import type { ProjectAccessService } from '../project-access.service';
import type { StorageUsageService } from '../storage-usage.service';
import type { ResolvedStore, StoreRegistry } from '../store-registry';
import type { VersionFilesService } from '../version-files.service';

/** What a client needs to send a file straight to the bucket: one presigned PUT per part, valid minutes. */
export interface DirectUploadPlan {
  id: string;
  /** The store already holds these bytes: nothing to send, the file is listed already. */
  alreadyStored: boolean;
  partSize: number;
  parts: { partNumber: number; url: string }[];
  expiresAt: Date;
}

export interface DirectBlobRequest {
  sha256: string;
  size: number;
}

interface UploadRow {
  id: string;
  store_id: string;
  version_id: string | null;
  path: string | null;
  sha256: string;
  size: string;
  s3_upload_id: string;
  object_key: string;
  completed_at: Date | null;
  expires_at: Date;
}

const ACTION = 'Uploading files';

/**
 * Large uploads straight to an S3 store: S3 multipart with presigned part URLs that live minutes. Two layers:
 *
 * - blob level (`beginBlob` / `completeBlob`): (sha256, size) → parts and URLs; complete → the assembled object is
 *   read back and hashed (S3 has no whole-object SHA-256 for multipart), and only a match is copied (inside the
 *   bucket) to its content-addressed key. The caller authorizes; the hub protocol's LFS batch upload can sit on it.
 * - file level (`begin` / `complete`): the same for a path of a DRAFT version (editor role, quota), which lists the
 *   file only once its bytes are verified.
 */
export class DirectUploadService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly files: VersionFilesService,
    private readonly access: ProjectAccessService,
    private readonly usage: StorageUsageService,
    private readonly ttlSeconds: number,
    private readonly maxBytes: number,
  ) {}

  async begin(caller: Caller, request: DirectBlobRequest & { versionId: string; path: string }): Promise<DirectUploadPlan> {
    const versionId = uuid('versionId', request.versionId);
    const target = filePath('path', request.path);
    await this.files.inDraft(caller, versionId, ACTION, async () => undefined);
    await this.usage.assertRoom(versionId, BigInt(request.size));
    const resolved = await this.stores.forVersion(versionId);
    const plan = await this.beginBlob(caller, resolved, request, { versionId, path: target });
    if (plan.alreadyStored) await this.list(caller, versionId, target, request.sha256.toLowerCase(), request.size, resolved);
    return plan;
  }

  async complete(caller: Caller, id: string, parts: readonly { partNumber: number; etag: string }[]): Promise<ManifestEntry> {
    const row = await this.row(caller, id);
    if (!row.version_id || !row.path) throw new NotFoundError('Upload', id);
    const resolved = await this.stores.byId(row.store_id);
    await this.completeBlob(row, resolved, parts);
    return this.list(caller, row.version_id, row.path, row.sha256, Number(row.size), resolved);
  }

  async abort(caller: Caller, id: string): Promise<boolean> {
    const row = await this.row(caller, id);
    if (row.completed_at) return false;
    const t = targetOf(await this.stores.byId(row.store_id));
    await abortMultipart(t, row.object_key, row.s3_upload_id);
    await this.db.query(`DELETE FROM direct_uploads WHERE id = $1`, [row.id]);
    return true;
  }

  /** Blob level: the caller has authorized the write into this store. */
  async beginBlob(caller: Caller, resolved: ResolvedStore, request: DirectBlobRequest, file: { versionId: string | null; path: string | null }): Promise<DirectUploadPlan> {
    const sha256 = request.sha256.toLowerCase();
    if (!SHA256.test(sha256)) throw new ValidationError('sha256', 'must be 64 hex characters');
    if (!Number.isSafeInteger(request.size) || request.size < 1) throw new ValidationError('size', 'must be a whole number of bytes, at least 1');
    if (request.size > this.maxBytes) throw new ValidationError('size', `must be at most ${this.maxBytes} bytes (UPLOAD_MAX_BYTES)`);
    const t = targetOf(resolved);
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    if (await resolved.store.has(sha256)) return { id: randomUUID(), alreadyStored: true, partSize: 0, parts: [], expiresAt };
    const partSize = partSizeFor(request.size);
    const count = Math.ceil(request.size / partSize);
    if (count > MAX_PARTS) throw new ValidationError('size', 'is too large for one multipart upload');
    const id = randomUUID();
    const key = `${t.prefix}direct-uploads/${id}`;
    const uploadId = await createMultipart(t, key);
    await this.db.query(
      `INSERT INTO direct_uploads (id, store_id, version_id, path, sha256, size, s3_upload_id, object_key, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [id, resolved.id, file.versionId, file.path, sha256, request.size, uploadId, key, caller.subject.slice(0, 256), expiresAt],
    );
    const parts = await Promise.all(Array.from({ length: count }, async (_, i) => ({ partNumber: i + 1, url: await presignPart(t, key, uploadId, i + 1, this.ttlSeconds) })));
    return { id, alreadyStored: false, partSize, parts, expiresAt };
  }

  /** Assembles, reads back and hashes; only a match becomes the blob. A mismatch removes the object and is the caller's error. */
  async completeBlob(row: UploadRow, resolved: ResolvedStore, parts: readonly { partNumber: number; etag: string }[]): Promise<void> {
    if (row.completed_at) return;
    if (parts.length === 0 || parts.length > MAX_PARTS) throw new ValidationError('parts', 'list every part sent, with its ETag');
    const t = targetOf(resolved);
    await completeMultipart(t, row.object_key, row.s3_upload_id, [...parts].sort((a, b) => a.partNumber - b.partNumber));
    const actual = await hashObject(t, row.object_key);
    if (actual.size !== Number(row.size) || actual.sha256 !== row.sha256) {
      await deleteObject(t, row.object_key);
      await this.db.query(`DELETE FROM direct_uploads WHERE id = $1`, [row.id]);
      if (actual.size !== Number(row.size)) throw new SizeMismatchError(row.path ?? row.sha256, Number(row.size), actual.size);
      throw new ChecksumMismatchError(row.path ?? row.sha256, row.sha256, actual.sha256);
    }
    if (!(await resolved.store.has(row.sha256))) await copyWithin(t, row.object_key, `${t.prefix}${blobKey(row.sha256)}`, actual.size, row.sha256);
    await deleteObject(t, row.object_key);
    await this.db.query(`UPDATE direct_uploads SET completed_at = now() WHERE id = $1`, [row.id]);
  }

  private async list(caller: Caller, versionId: string, path: string, sha256: string, size: number, resolved: ResolvedStore): Promise<ManifestEntry> {
    const head = await collectHead(await resolved.store.read(sha256, 0, Math.min(16, size)));
    return this.files.putFile(caller, versionId, path, { sha256, size, format: detectFormat(path, head) });
  }

  /** The upload when the caller may write its version; NOT_FOUND otherwise (and for an expired one). */
  private async row(caller: Caller, id: string): Promise<UploadRow> {
    const key = uuid('id', id);
    const [row] = (await this.db.query(`SELECT * FROM direct_uploads WHERE id = $1 AND (expires_at > now() OR completed_at IS NOT NULL)`, [key])) as UploadRow[];
    if (!row?.version_id) throw new NotFoundError('Upload', id);
    await this.access.authorize(caller, 'Version', row.version_id, Role.EDITOR, ACTION).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('Upload', id) : error;
    });
    return row;
  }
}

function targetOf(resolved: ResolvedStore): MultipartTarget {
  const inner = (resolved.store as Partial<Pick<S3ArtifactStore, 'target'>>).target;
  if (!inner) {
    throw new ConflictError(`store "${resolved.name}" is not an S3 store: upload through /files (tus or PUT) instead`, { store: resolved.name });
  }
  return inner;
}

async function collectHead(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
