import { MalformedArtifactError } from './artifact.errors';

/** What a transformers config.json tells about the model (absent keys stay null). */
export interface HfConfigSummary {
  architecture: string | null;
  modelType: string | null;
  contextLength: number | null;
  torchDtype: string | null;
  numLayers: number | null;
  numKeyValueHeads: number | null;
  headDim: number | null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

export function parseHfConfig(path: string, text: string): HfConfigSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MalformedArtifactError(path, 'is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MalformedArtifactError(path, 'is not a JSON object');
  // Multimodal configs nest the language model's settings.
  const top = raw as Record<string, unknown>;
  const text_ = (top.text_config ?? top.llm_config ?? {}) as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => top[k] ?? text_[k]).find((v) => v !== undefined);
  const heads = num(pick('num_attention_heads', 'n_head'));
  const hidden = num(pick('hidden_size', 'n_embd', 'd_model'));
  const architectures = top.architectures;
  return {
    architecture: Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : null,
    modelType: typeof top.model_type === 'string' ? top.model_type : null,
    contextLength: num(pick('max_position_embeddings', 'n_positions', 'seq_length', 'max_sequence_length')),
    torchDtype: typeof pick('torch_dtype', 'dtype') === 'string' ? (pick('torch_dtype', 'dtype') as string) : null,
    numLayers: num(pick('num_hidden_layers', 'n_layer', 'num_layers')),
    numKeyValueHeads: num(pick('num_key_value_heads')) ?? heads,
    headDim: num(pick('head_dim')) ?? (heads && hidden ? hidden / heads : null),
  };
}
