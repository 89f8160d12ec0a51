import { ValidationError } from '../common/domain-error';
import { printable } from '../common/field-rules';

const MAX_PATH = 1024;
const MAX_SEGMENT = 255;
// Bidirectional marks, embeddings, overrides and isolates: `model\u202Egpj.exe` shows as `modelexe.jpg` (Trojan Source).
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/**
 * A path inside a version (`weights/model-00001.safetensors`): relative, `/`-separated, no empty, `.` or `..`
 * segments, no backslashes, control or bidirectional control characters. Paths become HTTP URLs, tar entries and files in a hub
 * client's cache, so anything a file system or a URL would read twice is refused rather than normalised.
 */
export function filePath(field: string, value: string): string {
  printable(field, value);
  const bidi = BIDI.exec(value);
  if (bidi) {
    const code = bidi[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new ValidationError(field, `must not contain bidirectional control characters (U+${code} at position ${bidi.index}): they make a name show other than it is`);
  }
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw new ValidationError(field, 'must name a file or folder');
  if (trimmed.length > MAX_PATH) throw new ValidationError(field, `must be at most ${MAX_PATH} characters`);
  if (trimmed.includes('\\')) throw new ValidationError(field, 'must use "/" between folders, not "\\"');
  for (const segment of trimmed.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw new ValidationError(field, 'must not contain empty, "." or ".." segments');
    if (segment.length > MAX_SEGMENT) throw new ValidationError(field, `segments must be at most ${MAX_SEGMENT} characters`);
    if (segment.trim() !== segment) throw new ValidationError(field, 'segments must not start or end with spaces');
  }
  return trimmed;
}

/** `''` (the version's root) or a folder path. */
export function folderPath(field: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value.replace(/\/+/g, '') === '') return '';
  return filePath(field, value);
}

/** The folders a file path sits in, outermost first: `a/b/c.bin` → `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** True when `path` is inside `folder` (`''` holds everything). */
export function isUnder(path: string, folder: string): boolean {
  return folder === '' || path.startsWith(`${folder}/`);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
