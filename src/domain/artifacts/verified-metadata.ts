import type { GgufSummary } from './gguf-header';
import type { HfConfigSummary } from './hf-config';
import type { ModelCardSummary } from './model-card';
import type { SafetensorsSummary } from './safetensors-header';
import { licenseIdFromHubTag } from '../licensing/hub-license';

/** Facts read from the artifacts themselves; JSON-safe (bigints as decimal strings). */
export interface VerifiedMetadata {
  architecture: string | null;
  modelType: string | null;
  parameterCount: string | null;
  contextLength: number | null;
  dtypes: Record<string, string>;
  torchDtype: string | null;
  quantization: string | null;
  license: string | null;
  tags: string[];
  pipelineTag: string | null;
  baseModel: string | null;
  numLayers: number | null;
  numKeyValueHeads: number | null;
  headDim: number | null;
}

export interface DeclaredMetadata {
  architecture: string | null;
  parameterCount: string | null;
  contextLength: number | null;
  license: string | null;
}

export interface MetadataMismatch {
  field: keyof DeclaredMetadata;
  declared: string;
  verified: string;
}

export interface ArtifactSummaries {
  config: HfConfigSummary | null;
  safetensors: SafetensorsSummary[];
  gguf: GgufSummary[];
  card: ModelCardSummary | null;
}

export function summarise({ config, safetensors, gguf, card }: ArtifactSummaries): VerifiedMetadata {
  const dtypes: Record<string, bigint> = {};
  for (const file of safetensors) for (const [d, n] of Object.entries(file.dtypes)) dtypes[d] = (dtypes[d] ?? 0n) + n;
  // Sharded safetensors add up; several GGUF files are usually alternative quantizations, not shards.
  const params = safetensors.length ? safetensors.reduce((n, f) => n + f.parameterCount, 0n) : (gguf[0]?.parameterCount ?? null);
  const first = gguf[0];
  return {
    architecture: config?.architecture ?? first?.architecture ?? null,
    modelType: config?.modelType ?? first?.architecture ?? null,
    parameterCount: params === null ? null : params.toString(),
    contextLength: config?.contextLength ?? first?.contextLength ?? null,
    dtypes: Object.fromEntries(Object.entries(dtypes).map(([d, n]) => [d, n.toString()])),
    torchDtype: config?.torchDtype ?? null,
    quantization: first?.quantization ?? null,
    license: card?.license ? licenseIdFromHubTag(card.license) : null,
    tags: card?.tags ?? [],
    pipelineTag: card?.pipelineTag ?? null,
    baseModel: card?.baseModel ?? null,
    numLayers: config?.numLayers ?? null,
    numKeyValueHeads: config?.numKeyValueHeads ?? null,
    headDim: config?.headDim ?? null,
  };
}

/** Declared counts are often rounded ("70B"); only a gap beyond this is a mismatch. */
const PARAMETER_TOLERANCE = 0.05;

export function findMismatches(declared: DeclaredMetadata, verified: VerifiedMetadata): MetadataMismatch[] {
  const out: MetadataMismatch[] = [];
  const add = (field: keyof DeclaredMetadata, d: string, v: string) => out.push({ field, declared: d, verified: v });
  if (declared.architecture && verified.architecture && declared.architecture.toLowerCase() !== verified.architecture.toLowerCase()) {
    add('architecture', declared.architecture, verified.architecture);
  }
  if (declared.parameterCount && verified.parameterCount) {
    const d = Number(declared.parameterCount);
    const v = Number(verified.parameterCount);
    if (Math.abs(d - v) > PARAMETER_TOLERANCE * Math.max(d, v)) add('parameterCount', declared.parameterCount, verified.parameterCount);
  }
  if (declared.contextLength && verified.contextLength && declared.contextLength !== verified.contextLength) {
    add('contextLength', String(declared.contextLength), String(verified.contextLength));
  }
  if (declared.license && verified.license && declared.license.toLowerCase() !== verified.license.toLowerCase()) {
    add('license', declared.license, verified.license);
  }
  return out;
}
