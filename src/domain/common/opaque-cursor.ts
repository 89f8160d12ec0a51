import { ValidationError } from './domain-error';

export const NOT_OUR_CURSOR = 'is not a cursor returned by this API';

/** A cursor's parts as one opaque token: base64url JSON, which clients pass back and never read. */
export function encodeOpaqueCursor(parts: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/**
 * The parts of a cursor this API issued, as an array, or BAD_USER_INPUT on `after`: anything over `maxLength`
 * characters, or that is not base64url JSON of an array (what each list then checks part by part).
 */
export function decodeOpaqueCursor(raw: string, maxLength = 1024): unknown[] {
  if (raw.length > maxLength) throw new ValidationError('after', NOT_OUR_CURSOR);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('after', NOT_OUR_CURSOR);
  }
  if (!Array.isArray(parsed)) throw new ValidationError('after', NOT_OUR_CURSOR);
  return parsed;
}
