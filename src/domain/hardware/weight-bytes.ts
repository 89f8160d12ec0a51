import { bytesPerElement } from '../artifacts/dtype';

/**
 * Bytes per parameter of stored weights: weighted across the tensors' dtypes; without them (GGUF quantizations,
 * nothing read) the torch dtype, else fp16.
 */
export function bytesPerParameter(verified: { dtypes?: Record<string, string> | null; torchDtype?: string | null } | null): number {
  const dtypes = Object.entries(verified?.dtypes ?? {});
  const total = dtypes.reduce((n, [, count]) => n + Number(count), 0);
  if (total) return dtypes.reduce((sum, [dtype, count]) => sum + (bytesPerElement(dtype) ?? 2) * Number(count), 0) / total;
  return (verified?.torchDtype ? bytesPerElement(verified.torchDtype) : null) ?? 2;
}
