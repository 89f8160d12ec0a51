import { ConflictError, NotFoundError, ValidationError } from '../common/domain-error';
import { printable } from '../common/field-rules';
import { ancestorsOf, filePath, folderPath, isUnder } from './file-path';

/**
 * The hub's commit protocol (`huggingface_hub` `_commit_api.py`): an ndjson body whose first line is the header
 * (`{"key":"header","value":{"summary","description","parentCommit"?}}`), then one operation a line: `file`
 * (content base64, for files the preupload answered "regular"), `lfsFile` (oid = sha256 of bytes already sent to
 * the LFS upload URL), `deletedFile`, `deletedFolder`. Parsed line by line; any malformed line refuses the commit.
 */
export interface CommitHeader {
  summary: string;
  description: string;
  parentCommit: string | null;
}

export type CommitOperation =
  | { key: 'file'; path: string; content: Buffer }
  | { key: 'lfsFile'; path: string; oid: string; size: number | null }
  | { key: 'deletedFile'; path: string }
  | { key: 'deletedFolder'; path: string };

const SHA256 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_SUMMARY = 1_000;
const MAX_DESCRIPTION = 20_000;

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError('body', `${where}: expected a JSON object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string') throw new ValidationError('body', `${where}: "${field}" must be a string`);
  return value;
}

function parsed(line: string, where: string): { key: unknown; value: Record<string, unknown> } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new ValidationError('body', `${where} is not JSON (the commit body is ndjson: one JSON object a line)`);
  }
  const item = objectOf(json, where);
  return { key: item.key, value: objectOf(item.value, `${where} "value"`) };
}

export function parseCommitHeader(line: string): CommitHeader {
  const { key, value } = parsed(line, 'line 1');
  if (key !== 'header') throw new ValidationError('body', 'line 1 must be the commit header ({"key":"header","value":{"summary":…}})');
  // They become the version's changelog: PostgreSQL text takes no NUL, and the other controls are refused as elsewhere.
  const summary = printable('line 1 summary', text(value.summary ?? '', 'line 1', 'summary')).trim();
  const description = printable('line 1 description', text(value.description ?? '', 'line 1', 'description'));
  if (summary.length > MAX_SUMMARY) throw new ValidationError('body', `line 1: the summary is at most ${MAX_SUMMARY} characters`);
  if (description.length > MAX_DESCRIPTION) throw new ValidationError('body', `line 1: the description is at most ${MAX_DESCRIPTION} characters`);
  const parent = value.parentCommit;
  if (parent !== undefined && parent !== null && (typeof parent !== 'string' || !/^[0-9a-f]{40}$/.test(parent))) {
    throw new ValidationError('body', 'line 1: "parentCommit" must be a 40-hex commit id');
  }
  return { summary, description, parentCommit: typeof parent === 'string' ? parent : null };
}

export function parseCommitOperation(line: string, number: number): CommitOperation {
  const where = `line ${number}`;
  const { key, value } = parsed(line, where);
  const path = () => filePath(`${where} path`, text(value.path, where, 'path'));
  switch (key) {
    case 'file': {
      if (value.encoding !== undefined && value.encoding !== 'base64') throw new ValidationError('body', `${where}: only base64 file content is accepted`);
      const content = text(value.content, where, 'content');
      if (!BASE64.test(content) || content.length % 4 !== 0) throw new ValidationError('body', `${where}: "content" is not base64`);
      return { key, path: path(), content: Buffer.from(content, 'base64') };
    }
    case 'lfsFile': {
      if (value.algo !== undefined && value.algo !== 'sha256') throw new ValidationError('body', `${where}: LFS objects are named by sha256`);
      const oid = text(value.oid, where, 'oid').toLowerCase();
      if (!SHA256.test(oid)) throw new ValidationError('body', `${where}: "oid" must be 64 hex characters (the file's sha256)`);
      const size = value.size;
      if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) throw new ValidationError('body', `${where}: "size" must be a whole number of bytes`);
      return { key, path: path(), oid, size: typeof size === 'number' ? size : null };
    }
    case 'deletedFile':
      return { key, path: path() };
    case 'deletedFolder':
      return { key, path: folderPath(`${where} path`, text(value.path, where, 'path')) };
    default:
      throw new ValidationError('body', `${where}: unknown operation ${JSON.stringify(key)} (expected file, lfsFile, deletedFile or deletedFolder)`);
  }
}

export interface CommitBlob {
  sha256: string;
  size: number;
  format: string;
}

/** What a commit does to a version's files: puts (new or replaced) and removals, in path order. */
export interface CommitResult<B extends CommitBlob> {
  files: Map<string, B>;
  put: { path: string; blob: B; replaced: boolean }[];
  removed: { path: string; blob: B }[];
}

/**
 * Applies operations, in order, to a version's files (pure): a deletion of what is not there is NOT_FOUND (the
 * hub's "A file with this name doesn't exist"), a path that would be both a file and a folder is a CONFLICT.
 */
export type CommitChange<B extends CommitBlob> = { key: 'put'; path: string; blob: B } | { key: 'deletedFile' | 'deletedFolder'; path: string };

export function applyCommit<B extends CommitBlob>(before: ReadonlyMap<string, B>, operations: readonly CommitChange<B>[]): CommitResult<B> {
  const files = new Map(before);
  for (const op of operations) {
    if (op.key === 'put') files.set(op.path, op.blob);
    else if (op.key === 'deletedFile') {
      if (!files.delete(op.path)) throw new NotFoundError('File', op.path);
    } else {
      const under = [...files.keys()].filter((p) => p === op.path || isUnder(p, op.path));
      if (under.length === 0) throw new NotFoundError('Folder', op.path);
      for (const p of under) files.delete(p);
    }
  }
  for (const path of files.keys()) {
    const clash = ancestorsOf(path).find((folder) => files.has(folder));
    if (clash) throw new ConflictError(`"${path}" clashes with "${clash}": a path cannot be both a file and a folder`, { field: 'path' });
  }
  const put: CommitResult<B>['put'] = [];
  for (const [path, blob] of files) {
    const old = before.get(path);
    if (!old || old.sha256 !== blob.sha256 || old.format !== blob.format) put.push({ path, blob, replaced: old !== undefined });
  }
  const removed = [...before].filter(([path]) => !files.has(path)).map(([path, blob]) => ({ path, blob }));
  return { files, put: put.sort((a, b) => (a.path < b.path ? -1 : 1)), removed };
}

/** Files at most this large whose first bytes are text travel inside the commit; everything else goes through LFS. */
export const REGULAR_MAX_BYTES = 10 * 1024 * 1024;
const LFS_SUFFIXES = ['.safetensors', '.bin', '.pt', '.pth', '.ckpt', '.gguf', '.ggml', '.onnx', '.h5', '.msgpack', '.npy', '.npz', '.pkl', '.pickle', '.tflite', '.ot', '.zip', '.tar', '.gz', '.zst', '.xz', '.7z', '.parquet', '.arrow', '.model', '.mlmodel', '.joblib', '.keras', '.tgz', '.bz2', '.wasm'];

/** The preupload's answer for one file, as the hub's default .gitattributes would decide it (size, binary, suffix). */
export function uploadModeOf(path: string, size: number, sample: Buffer): 'regular' | 'lfs' {
  if (size > REGULAR_MAX_BYTES) return 'lfs';
  if (sample.includes(0)) return 'lfs';
  const lower = path.toLowerCase();
  return LFS_SUFFIXES.some((suffix) => lower.endsWith(suffix)) ? 'lfs' : 'regular';
}
