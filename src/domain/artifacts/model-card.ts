import { parse } from 'yaml';

export interface ModelCardSummary {
  license: string | null;
  tags: string[];
  pipelineTag: string | null;
  baseModel: string | null;
}

const MAX_TAGS = 100;

const EMPTY: ModelCardSummary = { license: null, tags: [], pipelineTag: null, baseModel: null };

/** Reads the YAML front matter of a Hugging Face model card (README.md); a card without one is fine. */
export function parseModelCard(text: string): ModelCardSummary {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
  if (!match) return EMPTY;
  let data: unknown;
  try {
    data = parse(match[1], { maxAliasCount: 50 });
  } catch {
    return EMPTY; // A broken card is the author's problem; the weights are what we verify.
  }
  if (typeof data !== 'object' || data === null) return EMPTY;
  const front = data as Record<string, unknown>;
  // A card is informative, not trusted: its values are cut to sizes that fit where they are shown and stored.
  const str = (v: unknown, max = 200) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);
  const license = str(front.license) === 'other' ? (str(front.license_name) ?? 'other') : str(front.license);
  return {
    license,
    tags: Array.isArray(front.tags) ? front.tags.filter((t): t is string => typeof t === 'string').slice(0, MAX_TAGS).map((t) => t.slice(0, 100)) : [],
    pipelineTag: str(front.pipeline_tag),
    baseModel: Array.isArray(front.base_model) ? str(front.base_model[0]) : str(front.base_model),
  };
}

/**
 * Why a card's front matter does not parse (the hub's `validate-yaml`, which huggingface_hub asks before pushing a
 * README.md): the YAML error, or that it is not a mapping. A card without front matter is fine.
 */
export function cardMetadataErrors(text: string): string[] {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
  if (!match) return [];
  try {
    const data: unknown = parse(match[1], { maxAliasCount: 50 });
    return data === null || (typeof data === 'object' && !Array.isArray(data)) ? [] : ['the metadata block must be a YAML mapping (key: value lines)'];
  } catch (error) {
    return [`the metadata block is not valid YAML: ${(error as Error).message.split('\n')[0].slice(0, 300)}`];
  }
}
