import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const MAX_INT64 = 2n ** 63n - 1n;
const MIN_INT64 = -(2n ** 63n);

function toBigInt(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return BigInt(value);
  return null;
}

function checked(value: unknown): bigint {
  const big = toBigInt(value);
  if (big === null || big > MAX_INT64 || big < MIN_INT64) {
    throw new GraphQLError(`BigInt cannot represent ${JSON.stringify(String(value))}: expected a signed 64-bit integer`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return big;
}

/**
 * Signed 64-bit integer (parameter counts pass 2^31 routinely). Accepts a JSON number (exact up to
 * 2^53) or a decimal string; answers a number when exact in JSON, else a decimal string.
 */
export const BigIntScalar = new GraphQLScalarType<bigint, number | string>({
  name: 'BigInt',
  description:
    'A signed 64-bit integer. Input: an integer or a decimal string. Output: a number when within ±2^53, otherwise a decimal string.',
  serialize(value) {
    const big = checked(value);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big.toString();
  },
  parseValue: checked,
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return checked(ast.value);
    throw new GraphQLError('BigInt must be an integer or a decimal string', { nodes: ast, extensions: { code: 'BAD_USER_INPUT' } });
  },
});
