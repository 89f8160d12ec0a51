import type { HardwareRequirements } from '../catalog/model-draft';

export interface GpuSpec {
  name: string;
  memoryGb: number;
}

export const DEFAULT_GPU_CATALOG: readonly GpuSpec[] = [
  { name: 'L4', memoryGb: 24 },
  { name: 'A100-80GB', memoryGb: 80 },
  { name: 'H100-80GB', memoryGb: 80 },
  { name: 'H200', memoryGb: 141 },
];

export interface EstimateInput {
  parameterCount: bigint;
  bytesPerParameter: number;
  contextLength: number | null;
  numLayers: number | null;
  numKeyValueHeads: number | null;
  headDim: number | null;
}

const GB = 1e9;
const MAX_GPUS = 8;
// Activations, CUDA context and allocator slack: serving engines reserve ~10-20% beyond weights + KV.
const OVERHEAD = 1.15;
const KV_BYTES = 2; // fp16/bf16 KV cache, the serving engines' default

/** Weights at their dtype plus a one-sequence KV cache at full context, with overhead, in GB. */
export function estimateMemoryGb(input: EstimateInput): number {
  const weights = Number(input.parameterCount) * input.bytesPerParameter;
  const { contextLength, numLayers, numKeyValueHeads, headDim } = input;
  const kv = contextLength && numLayers && numKeyValueHeads && headDim ? 2 * numLayers * numKeyValueHeads * headDim * contextLength * KV_BYTES : 0;
  return Math.ceil(((weights + kv) * OVERHEAD) / GB * 10) / 10;
}

/**
 * The cheapest fit: fewest GPUs, then the smallest card; null when even MAX_GPUS of the largest
 * card cannot hold the model.
 */
export function recommendHardware(memoryGb: number, catalog: readonly GpuSpec[] = DEFAULT_GPU_CATALOG): HardwareRequirements {
  let best: { gpu: GpuSpec; count: number } | null = null;
  for (const gpu of [...catalog].sort((a, b) => a.memoryGb - b.memoryGb)) {
    const count = Math.max(1, Math.ceil(memoryGb / gpu.memoryGb));
    if (count > MAX_GPUS) continue;
    if (!best || count < best.count) best = { gpu, count };
  }
  return { minGpuMemoryGb: memoryGb, recommendedGpu: best?.gpu.name ?? null, recommendedGpuCount: best?.count ?? null };
}

/**
 * What serving needs, in GB: the weights once and a KV cache of `contextLength` tokens for each of `sequences`
 * concurrent requests, with the same overhead as `estimateMemoryGb` (which is this at one sequence). An estimate
 * from the config's sizes, never a measurement; without layer and head sizes the KV cache counts as 0.
 */
export function servingMemoryGb(input: EstimateInput, sequences: number): number {
  const weights = Number(input.parameterCount) * input.bytesPerParameter;
  return Math.ceil(((weights + kvCacheBytes(input) * Math.max(1, sequences)) * OVERHEAD) / GB * 10) / 10;
}

/** Bytes of one sequence's KV cache at full `contextLength`; 0 when the config does not give the sizes. */
export function kvCacheBytes(input: Omit<EstimateInput, 'parameterCount' | 'bytesPerParameter'>): number {
  const { contextLength, numLayers, numKeyValueHeads, headDim } = input;
  return contextLength && numLayers && numKeyValueHeads && headDim ? 2 * numLayers * numKeyValueHeads * headDim * contextLength * KV_BYTES : 0;
}
