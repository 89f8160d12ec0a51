import type { OpenedSource } from '../staged-file';

export interface SourceFile {
  /** Relative path inside the model repository. */
  path: string;
  size: number | null;
  /** What the source promises the bytes hash to (the hub's LFS sha256, a user-given digest), if anything. */
  sha256: string | null;
  /**
   * The git blob sha1 the source lists for the file (the hub's `oid` of a non-LFS file), if any: git files
   * have no sha256 on the hub, so this is what proves their bytes.
   */
  gitBlobId: string | null;
}

/** What a source holds at one moment: its files, and the immutable revision they were listed at. */
export interface SourceListing {
  /** For Hugging Face the commit sha: open the files at it so a moving branch cannot mix revisions. Null where sources have none. */
  revision: string | null;
  files: SourceFile[];
}

/** Where an import reads from: lists the model's files and opens one at a byte offset (for resuming). */
export interface ModelSource {
  list(): Promise<SourceListing>;
  open(file: SourceFile, offset: number): Promise<OpenedSource>;
}

/** The source refused for a reason retrying cannot fix (missing repo, no access, not found). */
export class SourceUnavailableError extends Error {
  constructor(
    message: string,
    readonly code: 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT' = 'NOT_FOUND',
  ) {
    super(message);
  }
}
