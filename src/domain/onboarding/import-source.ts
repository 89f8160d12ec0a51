import { SourceType } from '../catalog/catalog-enums';
import { ValidationError } from '../common/domain-error';
import { httpUrl, text } from '../common/field-rules';

export type ImportSource =
  | { type: SourceType.HUGGING_FACE; repoId: string; revision: string }
  | {
      type: SourceType.URL;
      /** Without credentials: those are in `credentials`, sealed (a secret reference only workers open). */
      url: string;
      fileName: string;
      sha256: string | null;
      credentials?: string | null;
    }
  | { type: SourceType.DISK; path: string }
  | {
      type: SourceType.CUSTOM;
      storagePath: string;
      /** Files uploaded into this DRAFT version (submitVersion): read from the store by sha256, not from uploads/. */
      draftVersionId?: string;
    };

export interface ImportSourceInput {
  sourceType: SourceType;
  repoId?: string | null;
  revision?: string | null;
  url?: string | null;
  sha256?: string | null;
  fileName?: string | null;
  path?: string | null;
  storagePath?: string | null;
}

const REPO_ID = /^[\w.-]{1,96}\/[\w.-]{1,96}$/;
const REVISION = /^[\w./-]{1,255}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Refuses `..` segments outright: a relative climb is never a legitimate import path. */
export function assertNoTraversal(field: string, value: string): void {
  if (value.split(/[\\/]/).includes('..')) throw new ValidationError(field, 'must not contain ".." segments');
  if (value.includes('\0')) throw new ValidationError(field, 'must not contain NUL bytes');
}

/** A relative path inside a model repository (manifest entries, cache layout). */
export function safeRelativePath(field: string, value: string): string {
  assertNoTraversal(field, value);
  if (value.startsWith('/') || value === '' || value.length > 1024) throw new ValidationError(field, 'must be a relative path');
  return value;
}

/** Seals a secret into a reference; absent where no SECRETS_KEY is configured. */
export type SealSecret = (secret: string) => string;

function decoded(field: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ValidationError(field, 'has a malformed percent-encoding');
  }
}

/** `https://user:pass@host/…` → the URL without them and `user:pass` (decoded), for a Basic header. */
export function splitUrlCredentials(url: string): { url: string; secret: string | null } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url, secret: null };
  const secret = `${decoded('url', parsed.username)}:${decoded('url', parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), secret };
}

/** A URL fit to show: credentials replaced by `***` (for messages and fields that echo what was given). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}

function urlSource(input: ImportSourceInput, seal: SealSecret | null): ImportSource {
  const given = httpUrl('url', input.url);
  if (!given) throw new ValidationError('url', 'is required for URL imports');
  const { url, secret } = splitUrlCredentials(given);
  if (secret !== null && !seal) throw new ValidationError('url', 'credentials in URLs need SECRETS_KEY to be configured on the server');
  const fileName = input.fileName ?? decoded('url', new URL(url).pathname.split('/').pop() ?? '');
  const sha256 = input.sha256?.toLowerCase() ?? null;
  if (sha256 !== null && !SHA256.test(sha256)) throw new ValidationError('sha256', 'must be 64 hex characters');
  return {
    type: SourceType.URL,
    url,
    fileName: safeRelativePath('fileName', fileName || 'model.bin'),
    sha256,
    ...(secret !== null && seal ? { credentials: seal(secret) } : {}),
  };
}

export function validateImportSource(input: ImportSourceInput, seal: SealSecret | null = null): ImportSource {
  switch (input.sourceType) {
    case SourceType.HUGGING_FACE: {
      const repoId = text('repoId', input.repoId ?? '', 200, { min: 1 });
      if (!REPO_ID.test(repoId)) throw new ValidationError('repoId', 'must be a Hugging Face repo id such as "org/name"');
      const revision = text('revision', input.revision ?? 'main', 255, { min: 1 });
      if (!REVISION.test(revision) || revision.includes('..')) throw new ValidationError('revision', 'is not a valid git revision');
      return { type: SourceType.HUGGING_FACE, repoId, revision };
    }
    case SourceType.URL:
      return urlSource(input, seal);
    case SourceType.DISK: {
      const path = text('path', input.path ?? '', 4096, { min: 1 });
      assertNoTraversal('path', path);
      if (!path.startsWith('/')) throw new ValidationError('path', 'must be an absolute path');
      return { type: SourceType.DISK, path };
    }
    case SourceType.CUSTOM: {
      const storagePath = text('storagePath', input.storagePath ?? '', 1024, { min: 1 });
      return { type: SourceType.CUSTOM, storagePath: safeRelativePath('storagePath', storagePath.replace(/^\/+|\/+$/g, '')) };
    }
    default:
      throw new ValidationError('sourceType', `${String(input.sourceType)} imports are not supported yet`);
  }
}

/** Where the catalog says the model comes from, for `Model.sourceUri`. */
export function describeSource(source: ImportSource): string {
  switch (source.type) {
    case SourceType.HUGGING_FACE: return source.repoId;
    case SourceType.URL: return redactUrl(source.url);
    case SourceType.DISK: return source.path;
    case SourceType.CUSTOM: return source.storagePath;
  }
}
