import type { ValueTransformer } from 'typeorm';

/** pg returns int8 as a string to avoid precision loss; the domain works in bigint. */
export const bigintColumn: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

/** float8 comes back as a JS number already; numeric would not, so scores use float8. */
export const jsonWithBigints: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? value : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v)))),
  from: (value: unknown) =>
    value === null ? null : JSON.parse(JSON.stringify(value), (_k, v: unknown) => (isBigintBox(v) ? BigInt(v.$bigint) : v)),
};

function isBigintBox(value: unknown): value is { $bigint: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $bigint?: unknown }).$bigint === 'string';
}
