import { Http1Pool, jsonPost, requestWhole } from '../benchmarking/http1-pool';
import type { LoadTarget } from '../benchmarking/load-types';
import type { ChatMessage } from '../domain/evaluation/mt-bench-judging';

const MAX_ANSWER_CHARS = 65_536;
/** A completion's whole JSON answer; a longer one is refused, not buffered. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** One non-streamed chat completion at temperature 0: what every built-in task asks the endpoint. */
export function complete(target: LoadTarget, prompt: string, maxTokens: number, signal: AbortSignal): Promise<string> {
  return chat(target, [{ role: 'user', content: prompt }], maxTokens, signal);
}

/** The same over a whole conversation (multi-turn JUDGE tasks, the judge's own system prompt). */
export async function chat(target: LoadTarget, messages: readonly ChatMessage[], maxTokens: number, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  const url = new URL(`${target.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`);
  const body = Buffer.from(JSON.stringify({ model: target.model, messages, max_tokens: maxTokens, temperature: 0, stream: false }));
  const request = jsonPost(url, url.pathname, 'accept: application/json\r\n', target.apiKey, body);
  const response = await requestWhole(poolFor(target, signal), request, MAX_BODY_BYTES).catch((error: Error) => {
    throw signal.aborted ? (signal.reason as Error) : error;
  });
  const text = response.body.toString('utf8');
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text) as { choices?: { message?: { content?: string | null }; text?: string }[] };
  const choice = parsed.choices?.[0];
  return (choice?.message?.content ?? choice?.text ?? '').slice(0, MAX_ANSWER_CHARS);
}

/**
 * One keep-alive pool per target of a run (the target object lives as long as the run): every new connection
 * re-checks the endpoint's addresses against the worker's policy, like the load generator's, and cancelling the
 * run closes the pool, ending its requests at once.
 */
const pools = new WeakMap<LoadTarget, Http1Pool>();

function poolFor(target: LoadTarget, signal: AbortSignal): Http1Pool {
  let pool = pools.get(target);
  if (!pool) {
    const created = new Http1Pool(new URL(target.baseUrl), target.policy ?? null);
    pools.set(target, created);
    if (signal.aborted) created.close('cancelled');
    else signal.addEventListener('abort', () => created.close('cancelled'), { once: true });
    pool = created;
  }
  return pool;
}
