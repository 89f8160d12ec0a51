import type { HubOptions } from './hugging-face-source';

/** What one conditional look at a repository's tracked ref found. */
export type UpstreamLook =
  /** 304: nothing changed since the answer whose ETag was sent. */
  | { kind: 'unchanged' }
  | { kind: 'found'; sha: string; etag: string | null; license: string | null; gated: string | null }
  /** 401/403: gated (or made private) and this server's HF_TOKEN has no access. */
  | { kind: 'gated'; status: number }
  /** 404: the repository (or the tracked ref) is gone. */
  | { kind: 'gone'; status: number };

const COMMIT_SHA = /^[0-9a-f]{40}$/;
/** Model info is small; a larger answer is refused rather than read. */
const MAX_INFO_BYTES = 1024 * 1024;
const MAX_LICENSE = 100;

/**
 * The one request the watch makes per model and interval: the ref's model info with its commit, card metadata
 * and gating, sent with `If-None-Match` when an earlier answer carried an ETag (the hub then answers 304 without a
 * body). HF_TOKEN goes along when set, as on imports. Time-outs and 5xx throw; the caller counts them as failed.
 */
export async function lookUpstream(hub: HubOptions, repoId: string, revision: string, etag: string | null, timeoutMs: number): Promise<UpstreamLook> {
  const url = new URL(`${hub.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`);
  for (const field of ['sha', 'cardData', 'gated']) url.searchParams.append('expand[]', field);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (hub.token) headers.authorization = `Bearer ${hub.token}`;
  if (etag) headers['if-none-match'] = etag;
  const response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: 'unchanged' };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return { kind: 'gated', status: response.status };
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return { kind: 'gone', status: response.status };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${repoId}@${revision} answered ${response.status}`);
  }
  if (Number(response.headers.get('content-length') ?? 0) > MAX_INFO_BYTES) {
    await response.body?.cancel();
    throw new Error(`the model info of ${repoId} is larger than ${MAX_INFO_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_INFO_BYTES) throw new Error(`the model info of ${repoId} is larger than ${MAX_INFO_BYTES} bytes`);
  const info = JSON.parse(text) as { sha?: unknown; gated?: unknown; cardData?: { license?: unknown } | null };
  if (typeof info.sha !== 'string' || !COMMIT_SHA.test(info.sha)) throw new Error(`${hub.endpoint} did not name the commit of ${repoId}@${revision}`);
  return { kind: 'found', sha: info.sha, etag: boundedEtag(response.headers.get('etag')), license: cardLicense(info.cardData?.license), gated: gatedMode(info.gated) };
}

/** The card's `license:` (a tag such as apache-2.0; the hub also allows a list, whose first entry is taken). */
function cardLicense(value: unknown): string | null {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first.trim() ? first.trim().slice(0, MAX_LICENSE) : null;
}

/** `false`, or the hub's gating mode (`auto`, `manual`). */
function gatedMode(value: unknown): string | null {
  if (value === false || value === null || value === undefined) return null;
  return typeof value === 'string' ? value.slice(0, 20) : 'true';
}

function boundedEtag(value: string | null): string | null {
  return value && value.length <= 200 ? value : null;
}
