import type { HubOptions } from './hugging-face-source';
import { SourceUnavailableError } from './model-source';

/** A repository's model card as it is now: the commit it was read at, and its text (null: the repo has no README.md). */
export interface UpstreamCard {
  revision: string;
  text: string | null;
}

export interface CardLimits {
  /** A card longer than this is refused rather than read into memory. */
  maxBytes: number;
  /** One request to the hub (the watch's look, the README) ends within this. */
  timeoutMs: number;
}

/**
 * Reads `README.md` at `sha` (the commit the upstream watch just saw the tracked ref at), through the configured hub
 * with HF_TOKEN, so the text and the commit recorded beside it always belong together. A repository that is gone,
 * private or gated throws SourceUnavailableError; time-outs and 5xx throw plain errors.
 */
export async function readCardAt(hub: HubOptions, repoId: string, sha: string, limits: CardLimits): Promise<UpstreamCard> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const response = await fetch(`${hub.endpoint}/${repoId}/resolve/${sha}/README.md`, { headers: hub.token ? { authorization: `Bearer ${hub.token}` } : {}, redirect: 'follow', signal });
  if (response.status === 404 && response.headers.get('x-error-code') === 'EntryNotFound') {
    await response.body?.cancel();
    return { revision: sha, text: null };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    if ([401, 403, 404].includes(response.status)) throw new SourceUnavailableError(`README.md of ${repoId}@${sha} answered ${response.status}`);
    throw new Error(`README.md of ${repoId}@${sha} answered ${response.status}`);
  }
  return { revision: sha, text: await boundedText(response, limits.maxBytes, repoId) };
}

async function boundedText(response: Response, maxBytes: number, repoId: string): Promise<string> {
  const tooLarge = () => new SourceUnavailableError(`the model card of ${repoId} is larger than ${maxBytes} bytes`, 'BAD_USER_INPUT');
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(); // a server that lied about (or left out) the length
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
