import { performance } from 'node:perf_hooks';
import { Http1Pool, jsonPost } from './http1-pool';
import { SseDataReader, SseLineTooLongError } from './sse-lines';
import type { LoadTarget, PromptSpec, RequestApi, RequestSample } from './load-types';

/** Error text kept per sample: enough to tell causes apart without storing a server's whole body. */
const MAX_ERROR_CHARS = 300;
/** Usage figures beyond this are not a real count (a server sending 1e308 or -5 would poison every statistic). */
const MAX_USAGE_TOKENS = 100_000_000;

/**
 * Content chunks accepted for a request of `maxTokens`: servers send about one per token, some split a token's
 * text over two. A stream going far past max_tokens is one that may never end; it is cut off as an error.
 */
export function maxContentChunks(maxTokens: number): number {
  return maxTokens * 2 + 16;
}

/**
 * Body bytes accepted for a request of `maxTokens`: a chunk event is a few hundred bytes (more with logprobs). A
 * stream of keep-alive comments or empty events never reaches the chunk bound, and would run until the deadline.
 */
export function maxStreamBytes(maxTokens: number): number {
  return 16 * 1024 * 1024 + maxTokens * 16 * 1024;
}

const tokenCount = (value: unknown, max: number): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max ? value : null;

interface StreamChunk {
  choices?: { delta?: { content?: string | null }; text?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** What one `data:` event carries: a content token, usage figures, or neither. */
export interface EventReading {
  content: boolean;
  usage: StreamChunk['usage'];
}

const NOTHING: EventReading = { content: false, usage: null };
const TOKEN: EventReading = { content: true, usage: null };

/**
 * Reads an event without parsing it when its shape is the usual compact one: `"content":"x` or `"text":"x` is a
 * token (a key inside a JSON string would be escaped, `\"content\"`, so it cannot be matched there), and an event
 * without `"usage":` and without either key carries nothing we count. Anything else is parsed.
 */
export function readEvent(data: string): EventReading {
  const usage = data.indexOf('"usage":');
  if (usage < 0 || data.startsWith('null', usage + 8)) {
    const key = data.indexOf('"content":');
    const at = key >= 0 ? key + 10 : data.indexOf('"text":') + 7;
    if (at === 6 && key < 0) return NOTHING; // neither key: a role-only delta, a finish_reason chunk, …
    if (data.charCodeAt(at) === 34 /* " */) return data.charCodeAt(at + 1) === 34 ? NOTHING : TOKEN;
    if (data.startsWith('null', at)) return NOTHING;
  }
  let chunk: StreamChunk;
  try { chunk = JSON.parse(data) as StreamChunk; } catch { return NOTHING; }
  const choice = chunk.choices?.[0];
  return { content: Boolean(choice?.delta?.content ?? choice?.text), usage: chunk.usage ?? null };
}

/**
 * Streams one request and times it with the monotonic clock. Requests go over raw keep-alive HTTP/1.1
 * connections (Http1Pool) and parsing stays minimal (most events are classified without JSON.parse), because at
 * hundreds of concurrent streams the client's own work shows up in TTFT. Cancelling the signal destroys every
 * connection at once, so the endpoint stops receiving load immediately.
 */
export class OpenAiStreamClient {
  private readonly pool: Http1Pool;
  private readonly url: URL;
  private readonly paths: Record<RequestApi, string>;
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(private readonly target: LoadTarget) {
    const url = new URL(target.baseUrl.replace(/\/+$/, '') + '/');
    this.url = url;
    this.pool = new Http1Pool(url, target.pinnedAddress ? { pinned: target.pinnedAddress } : target.policy ?? null);
    this.paths = { chat: `${url.pathname}v1/chat/completions`, completion: `${url.pathname}v1/completions` };
  }

  close(): void {
    this.pool.close();
  }

  stream(api: RequestApi, prompt: PromptSpec, requestId: string, levelStart: number, signal: AbortSignal): Promise<RequestSample> {
    if (!this.watched.has(signal)) {
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.pool.close('cancelled'), { once: true });
    }
    const body = Buffer.from(JSON.stringify({
      model: this.target.model,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: prompt.maxTokens,
      temperature: 0,
      ...(api === 'chat' ? { messages: [{ role: 'user', content: prompt.prompt }] } : { prompt: prompt.prompt }),
    }));
    const request = jsonPost(this.url, this.paths[api], `accept: text/event-stream\r\nx-request-id: ${requestId}\r\n`, this.target.apiKey, body);
    const start = performance.now();
    const sample: RequestSample = {
      startMs: start - levelStart, startedAt: performance.timeOrigin + start, sentMs: null, ttftMs: null, itlMs: [], e2eMs: 0, inputTokens: null, outputTokens: 0,
      tokensCounted: true, status: null, error: null, requestId,
    };
    if (signal.aborted) return Promise.resolve({ ...sample, error: 'cancelled' });
    return new Promise((resolve) => {
      const reader = new SseDataReader();
      let errorText = '';
      let last = 0;
      let done = false;
      let chunks = 0;
      let usageCount = false;
      const maxChunks = maxContentChunks(prompt.maxTokens);
      const maxBytes = maxStreamBytes(prompt.maxTokens);
      let received = 0;
      this.pool.send(request, {
        onSent: () => { sample.sentMs = performance.now() - start; },
        onHead: (status) => { sample.status = status; },
        onData: (data) => {
          const now = performance.now();
          if (sample.status !== 200) {
            errorText += data.toString('utf8', 0, MAX_ERROR_CHARS);
            // Enough to tell the cause: an endless error body is not read on.
            return errorText.length >= MAX_ERROR_CHARS ? `HTTP ${sample.status}: ${errorText}` : undefined;
          }
          received += data.length;
          if (received > maxBytes) return `the endpoint sent over ${maxBytes} bytes for max_tokens ${prompt.maxTokens}`;
          let events: string[];
          try {
            events = reader.push(data);
          } catch (error) {
            if (error instanceof SseLineTooLongError) return error.message;
            throw error;
          }
          for (const event of events) {
            if (event === '[DONE]') { done = true; continue; }
            const reading = readEvent(event);
            if (reading.content) {
              if (sample.ttftMs === null) sample.ttftMs = now - start;
              else sample.itlMs.push(now - last);
              last = now;
              chunks += 1;
              if (!usageCount) sample.outputTokens = chunks;
              if (chunks > maxChunks) return `the endpoint streamed over ${maxChunks} chunks for max_tokens ${prompt.maxTokens}`;
            }
            const usage = reading.usage;
            if (usage) {
              const input = tokenCount(usage.prompt_tokens, MAX_USAGE_TOKENS);
              if (input !== null) sample.inputTokens = input;
              const output = tokenCount(usage.completion_tokens, maxChunks);
              if (output !== null) {
                sample.outputTokens = output;
                sample.tokensCounted = false;
                usageCount = true;
              }
            }
          }
          return undefined;
        },
        onDone: (error) => {
          sample.e2eMs = performance.now() - start;
          let failure: string | null = error;
          if (!failure && sample.status !== 200) failure = `HTTP ${sample.status}: ${errorText}`;
          if (!failure && !done && sample.ttftMs === null) failure = 'stream ended without content';
          if (failure) sample.error = failure.slice(0, MAX_ERROR_CHARS);
          resolve(sample);
        },
      });
    });
  }
}
