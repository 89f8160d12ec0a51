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

/**
 * The source could not be reached or answered with a server fault (refused, unresolved, reset, timed out, 5xx,
 * 429). Retried, but within the import's budget for external sources (EXTERNAL_SOURCE_RETRY_BUDGET_MS), after
 * which the import fails with this message.
 */
export class SourceUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceUnreachableError';
  }

  /** Wraps a transport failure, naming its cause chain (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`). */
  static from(error: unknown, context?: string): SourceUnreachableError {
    const text = describeCauses(error);
    return new SourceUnreachableError(context ? `${context}: ${text}` : text, { cause: error });
  }
}

/** Node network error codes that say the far end is not there (or not answering) right now. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** True for a transport failure (fetch's `fetch failed`, undici and node socket errors) anywhere in the cause chain. */
export function isTransportFailure(error: unknown): boolean {
  for (let e = errorLike(error), depth = 0; e !== null && depth < 5; e = errorLike(e.cause), depth++) {
    const { code } = e;
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('UND_ERR_'))) return true;
    if (e.message === 'fetch failed' || e.message === 'socket hang up') return true;
  }
  return false;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/**
 * Duck-typed rather than `instanceof Error`: errors from node's internals (undici's `fetch failed`) come from
 * another realm where the code runs in a VM context (jest), and fail that check.
 */
function errorLike(value: unknown): ErrorLike | null {
  return typeof value === 'object' && value !== null && ('message' in value || 'code' in value) ? (value as ErrorLike) : null;
}

/** An error's message followed by its causes' (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`), bounded. */
export function describeCauses(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const like = errorLike(e);
    const message = like ? String(like.message || like.name || like.code) : String(e);
    if (!parts.includes(message)) parts.push(message);
    // An AggregateError (happy eyeballs tried several addresses) has its reasons in `errors`, not `cause`.
    e = like ? (like.cause ?? (Array.isArray(like.errors) ? like.errors[0] : undefined)) : undefined;
  }
  return parts.join(': ').slice(0, 2000);
}
