import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { SseDataReader } from './sse-lines';
import type { LoadTarget, PromptSpec, RequestApi, RequestSample } from './load-types';

/** Error text kept per sample: enough to tell causes apart without storing a server's whole body. */
const MAX_ERROR_CHARS = 300;

interface StreamChunk {
  choices?: { delta?: { content?: string | null }; text?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/**
 * Streams one request and times it with the monotonic clock. Parsing stays minimal (one JSON.parse per event,
 * no allocation per byte) because at hundreds of concurrent streams the client's own work shows up in TTFT.
 * Agents keep sockets alive so a level measures the server, not TCP handshakes.
 */
export class OpenAiStreamClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(private readonly target: LoadTarget) {
    this.url = new URL(target.baseUrl.replace(/\/+$/, '') + '/');
    const options = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 };
    this.agent = this.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  close(): void {
    this.agent.destroy();
  }

  stream(api: RequestApi, prompt: PromptSpec, requestId: string, levelStart: number, signal: AbortSignal): Promise<RequestSample> {
    const path = api === 'chat' ? 'v1/chat/completions' : 'v1/completions';
    const body = JSON.stringify({
      model: this.target.model,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: prompt.maxTokens,
      temperature: 0,
      ...(api === 'chat' ? { messages: [{ role: 'user', content: prompt.prompt }] } : { prompt: prompt.prompt }),
    });
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      accept: 'text/event-stream',
      'x-request-id': requestId,
    };
    if (this.target.apiKey) headers.authorization = `Bearer ${this.target.apiKey}`;
    const transport = this.url.protocol === 'https:' ? https : http;
    const start = performance.now();
    const sample: RequestSample = {
      startMs: start - levelStart, startedAt: performance.timeOrigin + start, ttftMs: null, itlMs: [], e2eMs: 0, inputTokens: null, outputTokens: 0,
      tokensCounted: true, status: null, error: null, requestId,
    };
    return new Promise((resolve) => {
      let settled = false;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        sample.e2eMs = performance.now() - start;
        if (error) sample.error = error.slice(0, MAX_ERROR_CHARS);
        resolve(sample);
      };
      const req = transport.request(new URL(path, this.url), { method: 'POST', headers, agent: this.agent, signal }, (res) => {
        sample.status = res.statusCode ?? null;
        res.setEncoding('utf8');
        if (sample.status !== 200) {
          let text = '';
          res.on('data', (c: string) => { if (text.length < MAX_ERROR_CHARS) text += c; });
          res.on('end', () => finish(`HTTP ${sample.status}: ${text}`));
          res.on('error', (e) => finish(e.message));
          return;
        }
        const reader = new SseDataReader();
        let last = 0;
        let done = false;
        res.on('data', (c: string) => {
          const now = performance.now();
          for (const data of reader.push(c)) {
            if (data === '[DONE]') { done = true; continue; }
            let chunk: StreamChunk;
            try { chunk = JSON.parse(data) as StreamChunk; } catch { continue; }
            const choice = chunk.choices?.[0];
            const text = choice?.delta?.content ?? choice?.text;
            if (text) {
              if (sample.ttftMs === null) sample.ttftMs = now - start;
              else sample.itlMs.push(now - last);
              last = now;
              sample.outputTokens += 1;
            }
            if (chunk.usage) {
              if (typeof chunk.usage.prompt_tokens === 'number') sample.inputTokens = chunk.usage.prompt_tokens;
              if (typeof chunk.usage.completion_tokens === 'number') {
                sample.outputTokens = chunk.usage.completion_tokens;
                sample.tokensCounted = false;
              }
            }
          }
        });
        res.on('end', () => finish(done || sample.ttftMs !== null ? null : 'stream ended without content'));
        res.on('error', (e) => finish(e.message));
        res.on('aborted', () => finish('response aborted'));
      });
      req.on('error', (e) => finish(signal.aborted ? 'cancelled' : e.message));
      req.end(body);
    });
  }
}
