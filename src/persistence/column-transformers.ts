import type { ValueTransformer } from 'typeorm';

/** pg returns int8 as a string to avoid precision loss; the domain works in bigint. */
export const bigintColumn: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

/** float8 comes back as a JS number already; numeric would not, so scores use float8. */
export const jsonWithBigints: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? value : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)))),
  // pg parsed the column into a fresh value: the boxes are replaced in place (a copy through JSON cost ~1.5 % of a page).
  from: (value: unknown) => (value === null ? null : revived(value)),
};

function revived(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isBigintBox(value)) return BigInt(value.$bigint);
  const holder = value as Record<string, unknown>;
  for (const key of Object.keys(holder)) {
    const inner = holder[key];
    const now = revived(inner);
    // defineProperty, not assignment: a key such as "__proto__" (an own property, as JSON.parse makes it) stays data.
    if (now !== inner) Object.defineProperty(holder, key, { value: now, writable: true, enumerable: true, configurable: true });
  }
  return value;
}

function isBigintBox(value: unknown): value is { $bigint: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $bigint?: unknown }).$bigint === 'string';
}
