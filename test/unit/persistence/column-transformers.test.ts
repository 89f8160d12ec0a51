import { bigintColumn, jsonWithBigints } from '../../../src/persistence/column-transformers';

/** What pg hands back for a jsonb column: a fresh parse of what was stored. */
const roundTrip = (value: unknown) => jsonWithBigints.from(JSON.parse(JSON.stringify(jsonWithBigints.to(value))));

test('jsonb with bigints comes back with its bigints, at any depth and in arrays', () => {
  const value = { limit: 700_000_000n, nested: [2n, { huge: 12_345_678_901_234_567_890n, text: 'x', none: null }], flag: true };
  expect(roundTrip(value)).toEqual(value);
  expect(jsonWithBigints.from(null)).toBeNull();
  expect(jsonWithBigints.from(JSON.parse('{"$bigint":"7"}'))).toBe(7n);
});

test('a stored key named __proto__ stays a plain property, never the prototype', () => {
  const back = jsonWithBigints.from(JSON.parse('{"__proto__":{"$bigint":"5"},"a":1}')) as Record<string, unknown>;
  expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe(5n);
  expect(back.a).toBe(1);
});

test('int8 columns read as bigint', () => {
  expect(bigintColumn.from('9007199254740993')).toBe(9_007_199_254_740_993n);
  expect(bigintColumn.from(null)).toBeNull();
});
