/** Bytes per element of the tensor dtypes found in safetensors files and config.json torch_dtype. */
const BYTES: Record<string, number> = {
  F64: 8, I64: 8, U64: 8,
  F32: 4, I32: 4, U32: 4,
  F16: 2, BF16: 2, I16: 2, U16: 2,
  F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, I8: 1, U8: 1, BOOL: 1,
  // Packed 4-bit floats (two per byte) appear in MXFP4 checkpoints.
  F4: 0.5, F6_E2M3: 0.75, F6_E3M2: 0.75,
};

const TORCH_ALIASES: Record<string, string> = {
  float32: 'F32', float: 'F32', float16: 'F16', half: 'F16', bfloat16: 'BF16', float64: 'F64',
  int8: 'I8', uint8: 'U8', float8_e4m3fn: 'F8_E4M3', float8_e5m2: 'F8_E5M2',
};

/** Own properties only: a dtype of "constructor" or "__proto__" must not find Object's members. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function bytesPerElement(dtype: string): number | null {
  const alias = own(TORCH_ALIASES, dtype.toLowerCase());
  return own(BYTES, dtype) ?? (alias === undefined ? undefined : own(BYTES, alias)) ?? null;
}

export function normaliseDtype(dtype: string): string {
  return own(BYTES, dtype) !== undefined ? dtype : (own(TORCH_ALIASES, dtype.toLowerCase()) ?? dtype.toUpperCase());
}
