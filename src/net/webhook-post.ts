import http from 'node:http';
import https from 'node:https';
import type { AddressPolicy } from './address-policy';
import { DestinationRefusedError, pinnedLookup, resolveChecked } from './guarded-request';

export interface WebhookPostOptions {
  policy: AddressPolicy;
  /** The whole attempt: resolving, connecting, sending and reading the excerpt. */
  timeoutMs: number;
}

export interface WebhookPostResult {
  /** Null when no answer came (refused destination, connection error, timeout). */
  status: number | null;
  latencyMs: number;
  /** The first bytes of the answer's body, as received (the caller bounds and cleans them further). */
  body: string;
  /** Why there is no status, or why a 3xx was not followed. */
  error: string | null;
}

/** Only this much of an answer is ever read: receivers' bodies are not ours to store or trust. */
const MAX_BODY_BYTES = 1024;

/**
 * One POST to a webhook endpoint on a user's word: the resolved address passes the outbound policy of URL
 * imports (and is the one connected to: no DNS rebinding), redirects are never followed (a 3xx is a failure),
 * and the attempt ends after `timeoutMs` whatever the receiver does. Never throws: the outcome is data.
 */
export async function postWebhook(url: URL, body: string, headers: Record<string, string>, options: WebhookPostOptions): Promise<WebhookPostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: null, latencyMs: 0, body: '', error: 'only http and https URLs are called' };
  let deadline: NodeJS.Timeout | undefined;
  try {
    const target = await resolveChecked(url, options.policy);
    return await new Promise<WebhookPostResult>((resolve) => {
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(url, {
        method: 'POST',
        lookup: pinnedLookup(target),
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'ModelHub-Webhooks/1', ...headers },
      });
      deadline = setTimeout(() => request.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      request.once('error', (error) => resolve({ status: null, latencyMs: elapsed(), body: '', error: error.message.slice(0, 300) }));
      request.once('response', (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          response.destroy();
          const redirect = status >= 300 && status < 400 ? 'redirects are not followed' : null;
          resolve({ status, latencyMs: elapsed(), body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'), error: redirect });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_BODY_BYTES) finish();
        });
        response.once('end', finish);
        response.once('error', finish);
        response.once('close', finish);
      });
      request.end(body);
    });
  } catch (error) {
    const message = error instanceof DestinationRefusedError ? `refused: ${error.message}` : error instanceof Error ? error.message : String(error);
    return { status: null, latencyMs: elapsed(), body: '', error: message.slice(0, 300) };
  } finally {
    clearTimeout(deadline);
  }
}
