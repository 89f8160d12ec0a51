import { ConflictError, ValidationError } from '../../domain/common/domain-error';
import type { S3ArtifactStore } from '../../storage/s3-artifact-store';
import { MAX_PARTS, type MultipartTarget } from '../../storage/s3-multipart';
import type { ResolvedStore } from '../store-registry';

/** One part the client sent to its presigned URL, with the ETag the bucket answered. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** A row of `direct_uploads`: one S3 multipart upload, until it is verified and promoted, or aborted. */
export interface DirectUploadRow {
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

/** The bucket of an S3 store; for another kind of store, a CONFLICT saying how to upload instead (or null when asked). */
export function multipartTargetOf(resolved: ResolvedStore): MultipartTarget;
export function multipartTargetOf(resolved: ResolvedStore, required: false): MultipartTarget | null;
export function multipartTargetOf(resolved: ResolvedStore, required = true): MultipartTarget | null {
  const inner = (resolved.store as Partial<Pick<S3ArtifactStore, 'target'>>).target;
  if (inner) return inner;
  if (!required) return null;
  throw new ConflictError(`store "${resolved.name}" is not an S3 store: upload through /files (tus or PUT) instead`, { store: resolved.name });
}

/** The parts, sorted, when they are exactly 1..count each once with an ETag; a missing or extra part is refused by name. */
export function requireEveryPart(parts: readonly UploadedPart[], count: number): UploadedPart[] {
  if (!Array.isArray(parts) || parts.length > MAX_PARTS) throw new ValidationError('parts', 'list every part sent, with its ETag');
  const byNumber = new Map<number, string>();
  for (const part of parts) {
    const { partNumber, etag } = (typeof part === 'object' && part !== null ? part : {}) as Partial<UploadedPart>;
    if (typeof partNumber !== 'number' || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > count) {
      throw new ValidationError('parts', `part numbers run from 1 to ${count}; got ${JSON.stringify(partNumber ?? null)}`);
    }
    if (typeof etag !== 'string' || etag === '' || etag.length > 256) throw new ValidationError('parts', `part ${partNumber}: the ETag the store answered is required`);
    if (byNumber.has(partNumber)) throw new ValidationError('parts', `part ${partNumber} is listed twice`);
    byNumber.set(partNumber, etag);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !byNumber.has(n));
  if (missing.length > 0) throw new ValidationError('parts', `the upload has ${count} parts; part ${missing.slice(0, 10).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  return [...byNumber].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
}

const PART_REFUSALS = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'NoSuchUpload']);

/** The bucket refusing the assembly for the client's reason (a part never sent, a wrong ETag): its error, not ours. */
export function s3PartRefusal(error: unknown): ValidationError | null {
  const name = (error as { name?: unknown; Code?: unknown } | null)?.name;
  if (typeof name !== 'string' || !PART_REFUSALS.has(name)) return null;
  const why = name === 'NoSuchUpload' ? 'the upload is gone (aborted or expired)' : 'a part was not sent whole, or its ETag is not the one the store answered';
  return new ValidationError('parts', `the store refused to assemble the upload: ${why} (${name})`);
}
