import type { Readable } from 'node:stream';

export interface StoredBlob {
  sha256: string;
  size: number;
}

export interface BlobInfo {
  sha256: string;
  size: number;
  /** Last written or reused (adopting a file already stored refreshes it): what the collector's grace period counts from. */
  modifiedAt: Date;
}

/** What a health probe found: the store answered and took a small write (then removed it). */
export interface StoreProbe {
  writable: boolean;
  /** Bytes free where the store can tell (a filesystem's statfs); null for S3. */
  freeBytes: bigint | null;
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
  /**
   * Takes a fully written and verified local file into the store under its digest (kept once), durably: once
   * this resolves the blob survives a crash. Adopting a digest already stored refreshes its modification time,
   * so the garbage collector's grace period protects a blob an import is about to reference.
   */
  adoptStagedFile(stagingPath: string, blob: StoredBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /**
   * Bytes [start, start + length) of a blob; length omitted reads to the end. A whole-blob read (no start, no
   * length) is verified against the digest as it streams: a corrupt blob is quarantined and the stream fails
   * with CorruptBlobError before its last bytes are delivered. Ranged reads (file headers) are not verified.
   */
  read(sha256: string, start?: number, length?: number): Promise<Readable>;
  /** Every blob in the store, for the garbage collector. */
  listBlobs(): AsyncIterable<BlobInfo>;
  statBlob(sha256: string): Promise<BlobInfo | null>;
  deleteBlob(sha256: string): Promise<void>;
  listUploads(prefix: string): Promise<UploadedFile[]>;
  readUpload(prefix: string, path: string, start?: number): Promise<Readable>;
  /** The blob's file on this host, for readers that need a path (format scanners); null where blobs are not files here. */
  localPath(sha256: string): string | null;
  /** Writes and removes a small probe object; rejects when the store cannot be reached at all. */
  probe(): Promise<StoreProbe>;
  /** A short-lived URL for a whole blob straight from the store (S3), or null where there is none (a filesystem). */
  presignGet(sha256: string, fileName: string, ttlSeconds: number): Promise<string | null>;
}

export const SHA256 = /^[0-9a-f]{64}$/;

export function blobKey(sha256: string): string {
  return `blobs/sha256/${sha256.slice(0, 2)}/${sha256}`;
}
