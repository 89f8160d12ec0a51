import { ValidationError } from './domain-error';

/** Small, composable input checks; each names the field it rejects. */

// C0 controls but tab, line feed and carriage return; DEL; C1 controls. PostgreSQL refuses NUL in text outright.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Refuses NUL and other control characters (tab and line breaks stay allowed). */
export function printable(field: string, value: string): string {
  const match = CONTROL.exec(value);
  if (match) {
    const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new ValidationError(field, `must not contain control characters (U+${code} at position ${match.index})`);
  }
  return value;
}

export function text(field: string, value: string, max: number, opts: { min?: number } = {}): string {
  const trimmed = printable(field, value).trim();
  const min = opts.min ?? 0;
  if (trimmed.length < min) {
    throw new ValidationError(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  }
  if (trimmed.length > max) throw new ValidationError(field, `must be at most ${max} characters (got ${trimmed.length})`);
  return trimmed;
}

export function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = text(field, value, max);
  return trimmed === '' ? null : trimmed;
}

const SLUG = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

export function slug(field: string, value: string, max = 100): string {
  const trimmed = text(field, value, max, { min: 1 });
  if (!SLUG.test(trimmed)) {
    throw new ValidationError(
      field,
      'must be a slug: lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
    );
  }
  return trimmed;
}

export function httpUrl(field: string, value: string | null | undefined): string | null {
  const trimmed = optionalText(field, value, 2048);
  if (trimmed === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new ValidationError(field, 'must be an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(field, 'must be an http or https URL');
  }
  return trimmed;
}

export function nonNegativeBigInt(field: string, value: bigint | null | undefined, max?: bigint): bigint | null {
  if (value === null || value === undefined) return null;
  if (value < 0n) throw new ValidationError(field, 'must not be negative');
  if (max !== undefined && value > max) throw new ValidationError(field, `must be at most ${max}`);
  return value;
}

export function intInRange(field: string, value: number | null | undefined, min: number, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function numberInRange(field: string, value: number | null | undefined, min: number, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(field, `must be a number between ${min} and ${max}`);
  }
  return value;
}

/** Lowercased, de-duplicated labels (tags, tasks) keeping the caller's order. */
export function labels(field: string, values: readonly string[] | null | undefined, maxCount = 50, maxLength = 64): string[] {
  if (!values) return [];
  if (values.length > maxCount) throw new ValidationError(field, `must have at most ${maxCount} entries`);
  const seen = new Set<string>();
  for (const [i, raw] of values.entries()) {
    seen.add(slug(`${field}[${i}]`, raw.toLowerCase(), maxLength));
  }
  return [...seen];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuid(field: string, value: string): string {
  if (!UUID.test(value)) throw new ValidationError(field, `"${value.slice(0, 64)}" is not a valid id`);
  return value.toLowerCase();
}
