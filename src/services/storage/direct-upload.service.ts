import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { Caller } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ChecksumMismatchError, SizeMismatchError } from '../../domain/artifacts/checksum.errors';
import { detectFormat } from '../../domain/artifacts/artifact-format';
import { NotFoundError, ValidationError } from '../../domain/common/domain-error';
import { uuid } from '../../domain/common/field-rules';
import { filePath } from '../../domain/files/file-path';
import type { ManifestEntry } from '../../domain/onboarding/manifest';
import { metrics } from '../../observability/metrics';
import { type ArtifactStore, blobKey, SHA256 } from '../../storage/artifact-store';
import { abortMultipart, completeMultipart, copyWithin, createMultipart, deleteObject, hashObject, MAX_PARTS, partSizeFor, presignPart } from '../../storage/s3-multipart';
import type { ProjectAccessService } from '../project-access.service';
import type { StorageUsageService } from '../storage-usage.service';
import type { ResolvedStore, StoreRegistry } from '../store-registry';
import { readableSql } from '../version-files-read';
import type { VersionFilesService } from '../version-files.service';
import { multipartTargetOf, type DirectUploadRow, type UploadedPart, requireEveryPart, s3PartRefusal } from './multipart-rules';
import { type ExpectedBlob, type ReceivedBlob, receiveThroughApi } from './stream-transfer';

export type { ExpectedBlob, ReceivedBlob, UploadedPart };

/** How a file's bytes reach its store: straight to an S3 bucket in presigned parts, or streamed through the API. */
export type Transfer = 'multipart' | 'basic';

/** What a client needs to send a file straight to the bucket: one presigned PUT per part, valid minutes. */
export interface DirectUploadPlan {
  id: string;
  /** The store already holds these bytes and the caller reads a version listing them: nothing to send. */
  alreadyStored: boolean;
  partSize: number;
  parts: { partNumber: number; url: string }[];
  expiresAt: Date;
}

export interface DirectBlobRequest {
  sha256: string;
  size: number;
}

/** Who the verified bytes are for: a path of a DRAFT version (GraphQL), or an LFS ticket of the hub protocol. */
export type UploadOwner = { kind: 'file'; versionId: string; path: string } | { kind: 'lfs'; ticket: string };

export interface DirectUploadSettings {
  /** Life of each presigned part URL (DIRECT_UPLOAD_TTL_S). */
  ttlSeconds: number;
  /** UPLOAD_MAX_BYTES. */
  maxBytes: number;
  /** Where the through-API transfer keeps its part files (UPLOAD_DIR). */
  uploadDir: string;
}

const ACTION = 'Uploading files';

/**
 * The one direct-upload service: every upload of known bytes that is not a resumable (tus) upload goes through it,
 * whether asked through GraphQL (`beginDirectUpload` / `completeDirectUpload`) or through the hub protocol's LFS
 * batch. One begin, one complete with its verification, one record step, two strategies by store kind:
 *
 * - multipart (S3 stores): S3 multipart with presigned part URLs that live minutes; on complete the assembled object
 *   is read back and hashed (S3 has no whole-object SHA-256 for multipart) and only a match is copied (inside the
 *   bucket) to its content-addressed key; a mismatch removes the object. No body byte passes through the API.
 * - basic (filesystem stores, clients without multipart, bytes inside a request): streamed through the API into the
 *   upload folder while hashed, then adopted by the store (`receive`).
 *
 * Recording: a file is listed on its DRAFT version (editor role, quota) only once its bytes are verified; an LFS
 * ticket is marked stored, which makes its oid committable to that model.
 */
export class DirectUploadService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly files: VersionFilesService,
    private readonly access: ProjectAccessService,
    private readonly usage: StorageUsageService,
    private readonly settings: DirectUploadSettings,
  ) {}

  /** The size limit of every upload (UPLOAD_MAX_BYTES), checked before any byte is read. */
  requireSize(label: string, size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new ValidationError('size', `${label}: the size must be a whole number of bytes`);
    if (size > this.settings.maxBytes) throw new ValidationError('size', `${label} is ${size} bytes; uploads are at most ${this.settings.maxBytes} bytes (UPLOAD_MAX_BYTES)`);
  }

  /** The strategy for this store: multipart when it is an S3 bucket and the client speaks it, else through the API. */
  transferFor(resolved: ResolvedStore, clientSpeaksMultipart: boolean): Transfer {
    return clientSpeaksMultipart && multipartTargetOf(resolved, false) !== null ? 'multipart' : 'basic';
  }

  /** GraphQL: a file of a DRAFT version, to be sent straight to its S3 store. */
  async begin(caller: Caller, request: DirectBlobRequest & { versionId: string; path: string }): Promise<DirectUploadPlan> {
    const versionId = uuid('versionId', request.versionId);
    const target = filePath('path', request.path);
    await this.files.inDraft(caller, versionId, ACTION, async () => undefined);
    await this.usage.assertRoom(versionId, BigInt(request.size));
    const resolved = await this.stores.forVersion(versionId);
    const plan = await this.beginBlob(caller, resolved, request, { versionId, path: target });
    if (plan.alreadyStored) await this.listFile(caller, versionId, target, request.sha256.toLowerCase(), request.size, resolved.store);
    return plan;
  }

  /** GraphQL: completes a file upload (the caller must still be an editor of its version) and lists the file. */
  async complete(caller: Caller, id: string, parts: readonly UploadedPart[]): Promise<ManifestEntry> {
    const row = await this.fileRow(caller, id);
    const resolved = await this.stores.byId(row.store_id);
    await this.completeBlob(row, resolved, parts);
    return this.listFile(caller, row.version_id!, row.path!, row.sha256, Number(row.size), resolved.store);
  }

  /** Hub protocol: completes the multipart upload an LFS ticket stands for (the ticket is the authority) and records it. */
  async completeForTicket(ticket: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const [row] = (await this.db.query(`SELECT * FROM direct_uploads WHERE id = $1`, [uploadId])) as DirectUploadRow[];
    if (!row) throw new NotFoundError('LFS upload', ticket);
    await this.completeBlob(row, await this.stores.byId(row.store_id), parts);
    await this.record({ kind: 'lfs', ticket });
  }

  /** Hub protocol, basic transfer: the body of an LFS ticket through the API, then recorded. */
  async receiveForTicket(ticket: string, expected: ExpectedBlob, body: Readable, store: ArtifactStore): Promise<void> {
    await this.receive(expected, body, store);
    await this.record({ kind: 'lfs', ticket });
  }

  /** The through-API strategy alone, for bytes that arrive inside a request (a hub commit's regular files). */
  async receive(expected: ExpectedBlob, body: Readable, store: ArtifactStore): Promise<ReceivedBlob> {
    this.requireSize(expected.label, expected.size);
    return receiveThroughApi(this.settings.uploadDir, expected, body, store);
  }

  async abort(caller: Caller, id: string): Promise<boolean> {
    const row = await this.fileRow(caller, id);
    if (row.completed_at) return false;
    await abortMultipart(multipartTargetOf(await this.stores.byId(row.store_id)), row.object_key, row.s3_upload_id);
    await this.db.query(`DELETE FROM direct_uploads WHERE id = $1`, [row.id]);
    return true;
  }

  /**
   * Begin, multipart strategy: the caller has authorized the write into this store. The store's copy is reused
   * without a byte sent only for a file upload whose caller already reads a version listing that digest; otherwise
   * (an LFS object, where sending the bytes is what makes an oid committable) every byte is sent and verified.
   */
  async beginBlob(caller: Caller, resolved: ResolvedStore, request: DirectBlobRequest, file: { versionId: string; path: string } | null): Promise<DirectUploadPlan> {
    const sha256 = request.sha256.toLowerCase();
    if (!SHA256.test(sha256)) throw new ValidationError('sha256', 'must be 64 hex characters');
    if (!Number.isSafeInteger(request.size) || request.size < 1) throw new ValidationError('size', 'must be a whole number of bytes, at least 1');
    this.requireSize(file?.path ?? `LFS object ${sha256}`, request.size);
    const t = multipartTargetOf(resolved);
    const expiresAt = new Date(Date.now() + this.settings.ttlSeconds * 1000);
    if (file && (await this.readsDigest(caller, sha256)) && (await resolved.store.has(sha256))) return { id: randomUUID(), alreadyStored: true, partSize: 0, parts: [], expiresAt };
    const partSize = partSizeFor(request.size);
    const count = Math.ceil(request.size / partSize);
    if (count > MAX_PARTS) throw new ValidationError('size', 'is too large for one multipart upload');
    const id = randomUUID();
    const key = `${t.prefix}direct-uploads/${id}`;
    const uploadId = await createMultipart(t, key);
    await this.db.query(
      `INSERT INTO direct_uploads (id, store_id, version_id, path, sha256, size, s3_upload_id, object_key, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [id, resolved.id, file?.versionId ?? null, file?.path ?? null, sha256, request.size, uploadId, key, caller.subject.slice(0, 256), expiresAt],
    );
    const ttl = this.settings.ttlSeconds;
    const parts = await Promise.all(Array.from({ length: count }, async (_, i) => ({ partNumber: i + 1, url: await presignPart(t, key, uploadId, i + 1, ttl) })));
    return { id, alreadyStored: false, partSize, parts, expiresAt };
  }

  /**
   * Complete, multipart strategy: every part listed, assembled, read back and hashed; only a match becomes the blob.
   * A mismatch removes the object and the upload and is the caller's error; a part missing or refused by the store
   * leaves the upload open (its part URLs may still be used) for the sweeper to abort once abandoned.
   */
  async completeBlob(row: DirectUploadRow, resolved: ResolvedStore, parts: readonly UploadedPart[]): Promise<void> {
    if (row.completed_at) return;
    const size = Number(row.size);
    const sorted = requireEveryPart(parts, Math.ceil(size / partSizeFor(size)));
    const t = multipartTargetOf(resolved);
    await completeMultipart(t, row.object_key, row.s3_upload_id, sorted).catch((error: unknown) => {
      throw s3PartRefusal(error) ?? error;
    });
    const actual = await hashObject(t, row.object_key);
    if (actual.size !== size || actual.sha256 !== row.sha256) {
      await deleteObject(t, row.object_key);
      await this.db.query(`DELETE FROM direct_uploads WHERE id = $1`, [row.id]);
      if (actual.size !== size) throw new SizeMismatchError(row.path ?? `LFS object ${row.sha256}`, size, actual.size);
      throw new ChecksumMismatchError(row.path ?? `LFS object ${row.sha256}`, row.sha256, actual.sha256);
    }
    if (!(await resolved.store.has(row.sha256))) await copyWithin(t, row.object_key, `${t.prefix}${blobKey(row.sha256)}`, actual.size, row.sha256);
    await deleteObject(t, row.object_key);
    await this.db.query(`UPDATE direct_uploads SET completed_at = now() WHERE id = $1`, [row.id]);
    metrics.uploadBytes.inc({ transfer: 'multipart' }, size);
  }

  /** Record, LFS: the ticket's oid is stored, so a commit to its model may name it. */
  private async record(owner: Extract<UploadOwner, { kind: 'lfs' }>): Promise<void> {
    await this.db.query('UPDATE hub_lfs_objects SET stored_at = now() WHERE ticket = $1', [owner.ticket]);
  }

  /** Record, file: listed on its DRAFT version (role and draft state checked again inside the write). */
  private async listFile(caller: Caller, versionId: string, path: string, sha256: string, size: number, store: ArtifactStore): Promise<ManifestEntry> {
    const head = await collectHead(await store.read(sha256, 0, Math.min(16, size)));
    return this.files.putFile(caller, versionId, path, { sha256, size, format: detectFormat(path, head) });
  }

  /** Whether a version the caller reads lists this digest (knowing a digest never attaches another project's bytes). */
  private async readsDigest(caller: Caller, sha256: string): Promise<boolean> {
    const scope = readableSql(caller, 2);
    const rows = (await this.db.query(
      `SELECT 1 FROM version_files f JOIN model_versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id WHERE f.sha256 = $1${scope.sql} LIMIT 1`,
      [sha256, ...scope.params],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The file upload when the caller may write its version; NOT_FOUND otherwise (and for an expired one). */
  private async fileRow(caller: Caller, id: string): Promise<DirectUploadRow> {
    const key = uuid('id', id);
    const [row] = (await this.db.query(`SELECT * FROM direct_uploads WHERE id = $1 AND (expires_at > now() OR completed_at IS NOT NULL)`, [key])) as DirectUploadRow[];
    if (!row?.version_id || !row.path) throw new NotFoundError('Upload', id);
    await this.access.authorize(caller, 'Version', row.version_id, Role.EDITOR, ACTION).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('Upload', id) : error;
    });
    return row;
  }
}


async function collectHead(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
