import { Kind } from 'graphql';
import { BigIntScalar } from '../../../src/graphql/scalars/bigint.scalar';

describe('BigInt scalar', () => {
  test('serialises safe values as numbers and larger ones as exact strings', () => {
    expect(BigIntScalar.serialize(70_000_000_000n)).toBe(70_000_000_000);
    expect(BigIntScalar.serialize('70000000000')).toBe(70_000_000_000);
    expect(BigIntScalar.serialize(2n ** 60n)).toBe('1152921504606846976');
  });

  test('parses numbers, strings and literals into bigint; refuses fractions and overflow', () => {
    expect(BigIntScalar.parseValue(8_030_261_248)).toBe(8_030_261_248n);
    expect(BigIntScalar.parseValue('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(BigIntScalar.parseLiteral({ kind: Kind.INT, value: '70000000000' })).toBe(70_000_000_000n);
    expect(() => BigIntScalar.parseValue(1.5)).toThrow(/64-bit/);
    expect(() => BigIntScalar.parseValue('9223372036854775808')).toThrow(/64-bit/);
    expect(() => BigIntScalar.parseLiteral({ kind: Kind.FLOAT, value: '1.5' })).toThrow();
  });
});
