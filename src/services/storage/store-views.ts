import { type Caller, holdsRole } from '../../domain/auth/caller';
import { hasGlobalRole, hasRole, Role } from '../../domain/auth/roles';
import type { StoreRecord } from '../../domain/storage/store';

export type StoreKindView = 'DEFAULT' | 'S3' | 'FILESYSTEM';

/** A store as its admins see it: settings without secrets (only whether credentials are set). */
export interface StoreView {
  id: string;
  /** Null for the environment's store, shared by every project. */
  project: string | null;
  name: string;
  kind: StoreKindView;
  endpoint: string | null;
  bucket: string | null;
  prefix: string | null;
  region: string | null;
  forcePathStyle: boolean | null;
  /** A filesystem store's folder: the server's layout, shown to global admins only. */
  path: string | null;
  credentialsSet: boolean;
  quotaBytes: bigint | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Who sees a store: admins of its project; the shared default store, every admin of some project (it is where
 * their versions live until they name another). Anyone else gets NOT_FOUND, like a store that does not exist.
 */
export function canSeeStore(caller: Caller, record: Pick<StoreRecord, 'project'>): boolean {
  if (caller.kind === 'system') return true;
  if (!caller.principal) return false;
  if (record.project === null) return hasRole(caller.principal, Role.ADMIN);
  return holdsRole(caller, record.project, Role.ADMIN);
}

export function isOperator(caller: Caller): boolean {
  return caller.kind === 'system' || (caller.principal !== null && hasGlobalRole(caller.principal, Role.ADMIN));
}

export function viewOf(caller: Caller, record: StoreRecord): StoreView {
  const env = record.kind === 'env';
  const s3 = record.kind === 's3';
  return {
    id: record.id,
    project: record.project,
    name: record.name,
    kind: env ? 'DEFAULT' : s3 ? 'S3' : 'FILESYSTEM',
    endpoint: s3 ? record.endpoint : null,
    bucket: s3 ? record.bucket : null,
    prefix: s3 ? record.prefix : null,
    region: s3 ? record.region : null,
    forcePathStyle: s3 ? record.forcePathStyle : null,
    path: record.kind === 'fs' && isOperator(caller) ? record.fsPath : null,
    credentialsSet: record.accessKeyIdSealed !== null && record.secretAccessKeySealed !== null,
    quotaBytes: record.quotaBytes,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
