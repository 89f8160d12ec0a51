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

/** Sizes in configs are counts: a positive safe integer, else ignored. */
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** Identifiers that reach columns (architecture, model type): short, printable, or the file is refused. */
export const MAX_IDENTIFIER = 128;

function identifier(path: string, key: string, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value.length === 0 || value.length > MAX_IDENTIFIER || /[\u0000-\u001F\u007F]/.test(value)) {
    throw new MalformedArtifactError(path, `${key} is ${value.length} characters long or holds control characters (1 to ${MAX_IDENTIFIER} printable)`);
  }
  return value;
}

const MAX_CONTEXT = 2_147_483_647;

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
  const contextLength = num(pick('max_position_embeddings', 'n_positions', 'seq_length', 'max_sequence_length'));
  if (contextLength !== null && contextLength > MAX_CONTEXT) throw new MalformedArtifactError(path, `context length ${contextLength} is larger than ${MAX_CONTEXT}`);
  const dtype = pick('torch_dtype', 'dtype');
  return {
    architecture: Array.isArray(architectures) ? identifier(path, 'architectures[0]', architectures[0]) : null,
    modelType: identifier(path, 'model_type', top.model_type),
    contextLength,
    torchDtype: typeof dtype === 'string' ? identifier(path, 'torch_dtype', dtype) : null,
    numLayers: num(pick('num_hidden_layers', 'n_layer', 'num_layers')),
    numKeyValueHeads: num(pick('num_key_value_heads')) ?? heads,
    headDim: num(pick('head_dim')) ?? (heads && hidden ? hidden / heads : null),
  };
}
