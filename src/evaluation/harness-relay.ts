import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LoadTarget } from '../benchmarking/load-types';
import { checkedTarget } from '../benchmarking/target-check';
import { pinnedLookup } from '../net/guarded-request';

export interface HarnessRelay {
  /** What lm_eval is given as the endpoint: loopback, this relay. */
  url: string;
  /**
   * The bearer token the relay wants on /v1 requests, fresh per run and given to lm_eval only (as OPENAI_API_KEY):
   * another process on the worker cannot use the relay to reach the target with its key.
   */
  token: string;
  close(): Promise<void>;
}

// Passed on from the harness (the rest, its Authorization above all, is not) and back from the endpoint.
const REQUEST_HEADERS = ['content-type', 'content-length', 'accept', 'user-agent'];
const RESPONSE_HEADERS = ['content-type', 'content-length', 'cache-control', 'x-request-id'];
// What lm_eval asks for: the OpenAI API (with its bearer token), and vLLM's tokenizer routes, which its remote
// tokenizer calls without any header (they only tokenize). Nothing else is forwarded.
const API_PATHS = new Set(['/v1/completions', '/v1/chat/completions']);
const TOKENIZER_PATHS = new Set(['/tokenize', '/detokenize', '/tokenizer_info']);

function bearerIs(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function pick(headers: http.IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function fail(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) { res.destroy(); return; }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'modelhub_relay' } }));
}

/**
 * lm_eval's only way out. The harness makes its own connections (aiohttp, requests), which follow redirects and
 * resolve the endpoint's name again, so it is pointed at this loopback server instead: every request goes on to the
 * run's target at the one address checked against the worker's policy (URL_IMPORT_ALLOW) when the relay started,
 * with the target's API key added here (the harness never holds it), and an answer that redirects becomes a 502
 * instead of a hop to wherever it points. A refused target is BAD_USER_INPUT on target.url before the harness runs.
 */
export async function startHarnessRelay(target: LoadTarget): Promise<HarnessRelay> {
  const base = new URL(target.baseUrl);
  const pinned = await checkedTarget(target);
  const client = base.protocol === 'https:' ? https : http;
  const prefix = base.pathname.replace(/\/+$/, '');
  const token = randomBytes(16).toString('hex');
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!API_PATHS.has(path) && !TOKENIZER_PATHS.has(path)) { fail(res, 404, `the relay forwards the OpenAI API and the tokenizer routes only, not ${path.slice(0, 100)}`); return; }
    if (API_PATHS.has(path) && !bearerIs(req.headers.authorization, token)) { fail(res, 401, 'the relay serves the harness of its own run only'); return; }
    // Built as text from the target's own origin, so the path stays a path on the target.
    const url = new URL(`${base.origin}${prefix}${req.url ?? '/'}`);
    if (url.origin !== base.origin) { fail(res, 400, 'the relay forwards to the run\'s endpoint only'); return; }
    const headers = { ...pick(req.headers, REQUEST_HEADERS), ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}) };
    const upstream = client.request(url, { method: req.method, headers, ...(pinned ? { lookup: pinnedLookup(pinned) } : {}) });
    upstream.on('response', (answer) => {
      const status = answer.statusCode ?? 502;
      if (status >= 300 && status < 400) {
        answer.resume();
        fail(res, 502, `the endpoint answered ${status} (a redirect), which the evaluation does not follow`);
        return;
      }
      res.writeHead(status, pick(answer.headers, RESPONSE_HEADERS));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => fail(res, 502, `the endpoint could not be reached (${error.code ?? error.message})`));
    res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
