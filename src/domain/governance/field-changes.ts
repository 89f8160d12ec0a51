import type { FieldChange } from './audit-entry';

/** Longer values are cut in the trail: it records that a description changed, not a second copy of it. */
const MAX_VALUE_CHARS = 500;

function comparable(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function shown(value: unknown): unknown {
  const json = comparable(value);
  return json.length <= MAX_VALUE_CHARS ? (JSON.parse(json) as unknown) : `${json.slice(0, MAX_VALUE_CHARS)}…`;
}

/** Field-level before/after of the named fields that differ (values as JSON, bigints as strings). */
export function fieldChanges<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  return fields.filter((field) => comparable(before[field]) !== comparable(after[field])).map((field) => ({ field, before: shown(before[field]), after: shown(after[field]) }));
}
