import type { Readable } from 'node:stream';

export interface StoredBlob {
  sha256: string;
  size: number;
}

export interface UploadedFile {
  /** Relative to the upload prefix. */
  path: string;
  size: number;
}

/**
 * Content-addressed artifact storage: a file is stored once under its sha256, whichever versions list it.
 * Uploads (the CUSTOM source) live under a separate prefix until an import adopts them.
 */
export interface ArtifactStore {
  readonly kind: 'fs' | 's3';
  /** Takes a fully written and verified local file into the store under its digest (kept once). */
  adoptStagedFile(stagingPath: string, blob: StoredBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /** Bytes [start, start + length) of a blob; length omitted reads to the end. */
  read(sha256: string, start?: number, length?: number): Promise<Readable>;
  listUploads(prefix: string): Promise<UploadedFile[]>;
  readUpload(prefix: string, path: string, start?: number): Promise<Readable>;
}

export function blobKey(sha256: string): string {
  return `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;
}
