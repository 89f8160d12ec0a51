import type { OpenedSource } from '../staged-file';

export interface SourceFile {
  /** Relative path inside the model repository. */
  path: string;
  size: number | null;
  /** What the source promises the bytes hash to (the hub's LFS sha256, a user-given digest), if anything. */
  sha256: string | null;
}

/** Where an import reads from: lists the model's files and opens one at a byte offset (for resuming). */
export interface ModelSource {
  list(): Promise<SourceFile[]>;
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
