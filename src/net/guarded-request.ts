import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { AddressPolicy } from './address-policy';

/** The user's URL (or where it redirects) may not be fetched; retrying cannot change that. */
export class DestinationRefusedError extends Error {}

export interface GuardedRequestOptions {
  method: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Sent to the first origin only: a redirect to another origin drops it, as browsers do. */
  authorization?: string | null;
  policy: AddressPolicy;
  maxRedirects: number;
  /** Longest wait for the response headers of each hop. */
  timeoutMs: number;
}

export interface GuardedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
  /** Where the answer came from, after redirects. */
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface Target {
  address: string;
  family: number;
}

/** Resolves once and checks every address: a name with one public and one private address is refused. */
export async function resolveChecked(url: URL, policy: AddressPolicy): Promise<Target> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Target[];
  if (isIP(hostname)) addresses = [{ address: hostname, family: isIP(hostname) }];
  else {
    try {
      addresses = await lookup(hostname, { all: true, verbatim: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') throw new DestinationRefusedError(`${hostname} does not resolve`);
      throw error; // EAI_AGAIN and friends: a transient DNS fault, retried
    }
  }
  for (const { address } of addresses) {
    const refusal = policy.refusal(hostname, address);
    if (refusal) throw new DestinationRefusedError(`${hostname} ${refusal}; URL imports and benchmark or evaluation endpoints may only reach public addresses unless the server allows the host (an operator sets URL_IMPORT_ALLOW=${hostname})`);
  }
  if (addresses.length === 0) throw new DestinationRefusedError(`${hostname} does not resolve`);
  return addresses[0];
}

/** Connects to the address that was checked, never to a second answer of the resolver (DNS rebinding). */
export function pinnedLookup(target: Target): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: Target[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
}

function send(url: URL, target: Target, options: GuardedRequestOptions, headers: Record<string, string>): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method: options.method, headers, lookup: pinnedLookup(target), timeout: options.timeoutMs });
    request.once('response', (response) => {
      request.setTimeout(0); // the body's own idle timeout (staging) takes over from here
      resolve(response);
    });
    request.once('timeout', () => request.destroy(new Error(`${url.host} sent no answer within ${options.timeoutMs} ms`)));
    request.once('error', reject);
    request.end();
  });
}

/**
 * One http(s) request on a user's word: every hop's address is checked against the policy, redirects are
 * followed by hand (bounded, http and https only) so each new destination is checked before it is contacted.
 */
export async function guardedRequest(start: URL, options: GuardedRequestOptions): Promise<GuardedResponse> {
  let url = start;
  let authorization = options.authorization ?? null;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new DestinationRefusedError(`redirects to a ${url.protocol} URL; only http and https are followed`);
    }
    const target = await resolveChecked(url, options.policy);
    const headers = { ...options.headers, ...(authorization ? { authorization } : {}) };
    const response = await send(url, target, options, headers);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECTS.has(status) || !location) return { status, headers: response.headers, body: response, url };
    response.destroy();
    if (hop >= options.maxRedirects) throw new DestinationRefusedError(`more than ${options.maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new DestinationRefusedError('redirects to an invalid URL');
    }
    if (next.origin !== url.origin) authorization = null;
    next.username = '';
    next.password = '';
    url = next;
  }
}
