/** A JSONL file of a Hugging Face dataset repository, as an evaluation task names it. */
export interface HubDatasetRef {
  /** owner/name */
  repo: string;
  /** Branch, tag or commit sha; `main` when not given. */
  revision: string;
  /** The file inside the repository. */
  path: string;
}

// hf://datasets/<owner>/<name>[@<revision>]/<path>.jsonl — the form the hub's own file system client uses.
// Revisions with "/" are not accepted (the boundary to the path would be ambiguous).
const HF_DATASET = /^hf:\/\/datasets\/([A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95})(?:@([\w.-]{1,100}))?\/(.+)$/;

/** Null when `spec` is not a hub reference or its file path could leave the repository. */
export function parseHubDataset(spec: string): HubDatasetRef | null {
  const m = HF_DATASET.exec(spec);
  if (!m) return null;
  const file = m[3];
  if (!file.endsWith('.jsonl') || file.includes('\\') || file.split('/').some((s) => s === '' || s === '.' || s === '..')) return null;
  if (m[1].split('/').some((s) => s.includes('..'))) return null;
  // The revision becomes a URL path segment of the hub's API: "..", "." or a "..x" would walk out of it.
  if (m[2] !== undefined && (m[2].includes('..') || m[2] === '.')) return null;
  return { repo: m[1], revision: m[2] ?? 'main', path: file };
}
