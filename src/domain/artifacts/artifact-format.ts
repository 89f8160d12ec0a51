export enum ArtifactFormat {
  SAFETENSORS = 'SAFETENSORS',
  GGUF = 'GGUF',
  PYTORCH = 'PYTORCH',
  PICKLE = 'PICKLE',
  NUMPY = 'NUMPY',
  ONNX = 'ONNX',
  CONFIG = 'CONFIG',
  TOKENIZER = 'TOKENIZER',
  MODEL_CARD = 'MODEL_CARD',
  TEXT = 'TEXT',
  OTHER = 'OTHER',
}

/** Detected from the name and, where it matters, the magic bytes (a renamed pickle stays a pickle). */
export function detectFormat(path: string, head: Buffer): ArtifactFormat {
  const name = path.split('/').pop()!.toLowerCase();
  if (head.subarray(0, 4).toString('latin1') === 'GGUF') return ArtifactFormat.GGUF;
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return ArtifactFormat.PICKLE;
  if (head.subarray(0, 6).toString('latin1') === '\x93NUMPY') return ArtifactFormat.NUMPY;
  const zip = head.subarray(0, 4).toString('latin1') === 'PK\x03\x04';
  if (name.endsWith('.safetensors')) return ArtifactFormat.SAFETENSORS;
  if (/\.(bin|pt|pth|ckpt)$/.test(name)) return zip || head[0] === 0x80 ? ArtifactFormat.PYTORCH : ArtifactFormat.OTHER;
  if (/\.(pkl|pickle|joblib)$/.test(name)) return ArtifactFormat.PICKLE;
  if (/\.(npy|npz)$/.test(name)) return ArtifactFormat.NUMPY;
  if (name.endsWith('.onnx')) return ArtifactFormat.ONNX;
  if (name === 'readme.md') return ArtifactFormat.MODEL_CARD;
  if (/^(tokenizer.*|vocab\..*|merges\.txt|special_tokens_map\.json|spiece\.model)$/.test(name)) return ArtifactFormat.TOKENIZER;
  if (name.endsWith('.json')) return ArtifactFormat.CONFIG;
  if (/\.(md|txt)$/.test(name)) return ArtifactFormat.TEXT;
  return ArtifactFormat.OTHER;
}
