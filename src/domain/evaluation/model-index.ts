import { parse } from 'yaml';

/** A score a model card reports for itself (provenance REPORTED): never measured here. */
export interface ReportedScore {
  /** The evaluation benchmark name it is stored under: the dataset's type or name, normalised (mmlu, gsm8k, …). */
  benchmark: string;
  metric: string;
  score: number;
  dataset: string | null;
  source: string | null;
}

const MAX_SCORES = 200;
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const str = (v: unknown, max = 200): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** "cais/mmlu" → "mmlu", "HellaSwag (10-Shot)" → "hellaswag_10-shot"; null when nothing name-like is left. */
function benchmarkName(dataset: Record<string, unknown>): string | null {
  const raw = str(dataset.type) ?? str(dataset.name);
  if (!raw) return null;
  const name = (raw.split('/').pop() ?? raw).toLowerCase().replace(/[()]/g, '').trim().replace(/\s+/g, '_').slice(0, 64);
  return NAME.test(name) ? name : null;
}

/**
 * The `model-index` of a model card's YAML front matter (the Hugging Face results format): one score per metric
 * of each result. A card is untrusted text: malformed entries are skipped, counts and strings bounded.
 */
export function parseModelIndex(cardText: string): ReportedScore[] {
  return readModelIndex(cardText) ?? [];
}

/**
 * The same, telling "reports nothing" ([]: no front matter, no `model-index`) from "cannot be read" (null: front
 * matter that is not YAML, or a `model-index` that is not a list). A refresh keeps the stored scores on null, so a
 * broken upstream edit does not wipe them.
 */
export function readModelIndex(cardText: string): ReportedScore[] | null {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(cardText);
  if (!match) return [];
  let front: unknown;
  try {
    front = parse(match[1], { maxAliasCount: 50 });
  } catch {
    return null;
  }
  const index = obj(front)['model-index'];
  if (index === undefined) return [];
  if (!Array.isArray(index)) return null;
  const scores: ReportedScore[] = [];
  for (const entry of index) {
    const results = obj(entry).results;
    if (!Array.isArray(results)) continue;
    for (const result of results) {
      const r = obj(result);
      const dataset = obj(r.dataset);
      const benchmark = benchmarkName(dataset);
      if (!benchmark || !Array.isArray(r.metrics)) continue;
      for (const m of r.metrics) {
        const metric = obj(m);
        const value = typeof metric.value === 'number' ? metric.value : Number(str(metric.value));
        if (!Number.isFinite(value) || Math.abs(value) > 1e9) continue;
        scores.push({ benchmark, metric: str(metric.type, 64) ?? str(metric.name, 64) ?? 'score', score: value, dataset: str(dataset.type) ?? str(dataset.name), source: str(obj(r.source).url, 500) });
        if (scores.length >= MAX_SCORES) return scores;
      }
    }
  }
  return scores;
}
