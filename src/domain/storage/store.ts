import path from 'node:path';
import { DomainError, ValidationError } from '../common/domain-error';

/** The store the environment configures (ARTIFACT_STORE…): every project's default until it names its own. */
export const DEFAULT_STORE_ID = '00000000-0000-4000-8000-000000000000';

export type StoreKind = 'env' | 's3' | 'fs';

/** A store's settings as the registry keeps them; secrets only in sealed form. */
export interface StoreRecord {
  id: string;
  /** Null for the environment's store, shared by every project. */
  project: string | null;
  name: string;
  kind: StoreKind;
  endpoint: string | null;
  bucket: string | null;
  prefix: string;
  region: string | null;
  forcePathStyle: boolean;
  accessKeyIdSealed: string | null;
  secretAccessKeySealed: string | null;
  fsPath: string | null;
  quotaBytes: bigint | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoreHealth {
  reachable: boolean;
  writable: boolean;
  /** Bytes free where the store can tell (a filesystem); null for S3. */
  freeBytes: bigint | null;
  latencyMs: number;
  /** Why it is not healthy, in words that name no host or path. */
  error: string | null;
  checkedAt: Date;
}

/** The store holding a version's bytes cannot be read or written now; says which store, never its address. */
export class StoreUnavailableError extends DomainError {
  readonly code = 'STORE_UNAVAILABLE' as const;
  constructor(
    storeName: string,
    /** Why, in words that name no host or path ("it cannot be reached"). */
    readonly why: string,
  ) {
    super(`artifact store "${storeName}" is unavailable (${why}); try again later`, { store: storeName });
  }
}

export class QuotaExceededError extends DomainError {
  readonly code = 'QUOTA_EXCEEDED' as const;
  constructor(scope: 'project' | 'store', name: string, usedBytes: bigint, adding: bigint, quotaBytes: bigint) {
    super(`storage quota of ${scope} "${name}" exceeded: ${usedBytes} bytes used + ${adding} new > ${quotaBytes} allowed`, {
      scope,
      name,
      usedBytes: String(usedBytes),
      addingBytes: String(adding),
      quotaBytes: String(quotaBytes),
    });
  }
}

const STORE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function storeName(field: string, value: string): string {
  const name = value.trim().toLowerCase();
  if (!STORE_NAME.test(name)) throw new ValidationError(field, 'a store name is 1-63 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
  return name;
}

/** An object-key prefix: relative, no `..`, no empty segments; stored with a trailing slash (or empty). */
export function keyPrefix(field: string, value: string | null | undefined): string {
  const raw = (value ?? '').trim().replace(/^\/+|\/+$/g, '');
  if (raw === '') return '';
  if (raw.length > 200 || !/^[A-Za-z0-9._\-/]+$/.test(raw) || raw.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new ValidationError(field, 'a prefix is up to 200 characters of A-Z, a-z, 0-9, ".", "_", "-" and "/" without empty, "." or ".." segments');
  }
  return `${raw}/`;
}

/**
 * Who may point a store at a folder of the server: filesystem paths are the server's files, so only a global
 * admin (the operator) configures them, and only strictly inside one of STORE_FS_ROOTS. The folder must not
 * overlap another store's folder (two stores would share and collect each other's blobs) nor the server's own
 * data (`reserved`: artifacts, staging, caches, database). Returns the normalised absolute path.
 */
export function fsStorePath(field: string, value: string, roots: readonly string[], reserved: readonly string[], taken: readonly string[]): string {
  if (!path.isAbsolute(value)) throw new ValidationError(field, 'must be an absolute path');
  const wanted = path.resolve(value);
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
  if (!roots.some((root) => wanted !== path.resolve(root) && inside(wanted, path.resolve(root)))) {
    throw new ValidationError(field, 'must be a folder strictly inside one of the roots the operator allows (STORE_FS_ROOTS)');
  }
  const overlaps = (other: string) => inside(wanted, path.resolve(other)) || inside(path.resolve(other), wanted);
  if (reserved.some(overlaps)) throw new ValidationError(field, "must not overlap the server's own data folders");
  if (taken.some(overlaps)) throw new ValidationError(field, "must not overlap another store's folder");
  return wanted;
}
