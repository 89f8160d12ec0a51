import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ScriptedTokenizer } from './scripted-tokenizer';

/** What the server does per request; change it between requests through `server.script`. */
export interface StreamScript {
  firstTokenDelayMs: number;
  interTokenDelayMs: number;
  /** Tokens per answer unless the request's max_tokens is smaller. */
  outputTokens: number;
  /** Every n-th request (1-based) answers 500 instead of streaming. */
  failEvery?: number;
  /** Streams this many tokens, then destroys the socket. */
  dropAfterTokens?: number;
  /** Sends `usage` in the last chunk when the client asks for it (stream_options.include_usage). */
  usage?: boolean;
  /** Required bearer token, if any. */
  apiKey?: string;
  /**
   * Fixed answer for every request (evaluation fixtures), or one chosen from the prompt (chat: the messages' contents
   * joined by newlines) and the request's model and bearer header (a judge and a target on one server); each
   * whitespace-separated word is one chunk. A function that throws makes that request answer 500.
   */
  answer?: string | ((prompt: string, request: { model: string | null; authorization: string | null }) => string);
  /**
   * Log-probability of a prompt token (its text, with leading whitespace) for `echo: true` completions: what
   * loglikelihood tasks of lm-evaluation-harness score choices by. Default: -1 for every token.
   */
  logprob?: (token: string) => number;
}

/** Server-side truth per request id: when the request arrived and when each of its tokens was written. */
export interface ServerTiming {
  receivedAt: number;
  firstTokenAt: number | null;
  /** Streamed answers: the write time of every content token (what measured gaps are checked against). */
  tokenAt: number[];
}

export interface ScriptedOpenAiServer {
  url: string;
  script: StreamScript;
  requests: number;
  /** Streams currently open. */
  open: number;
  /** TCP connections accepted so far (a keep-alive client reuses them). */
  connections: number;
  timings: Map<string, ServerTiming>;
  lastBodies: Record<string, unknown>[];
  /** vLLM's /tokenize, /detokenize and /tokenizer_info over a word tokenizer. */
  tokenizer: ScriptedTokenizer;
  close(): Promise<void>;
}

interface CompletionBody {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  /** Text, or token ids (one prompt, or a batch of one) from a client that tokenizes through /tokenize. */
  prompt?: string | number[] | number[][];
  echo?: boolean;
  logprobs?: number;
  messages?: { content?: string }[];
  stream_options?: { include_usage?: boolean };
}

/**
 * An OpenAI-compatible streaming server whose timings are known: the first token after `firstTokenDelayMs`, then
 * one token every `interTokenDelayMs`. Load-generator measurements are checked against these.
 */
export async function startScriptedOpenAiServer(script: StreamScript, port = 0): Promise<ScriptedOpenAiServer> {
  const state: ScriptedOpenAiServer = {
    url: '', script, requests: 0, open: 0, connections: 0, timings: new Map(), lastBodies: [], tokenizer: new ScriptedTokenizer(),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = http.createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    const receivedAt = performance.timeOrigin + performance.now();
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { raw += c; });
    req.on('end', () => handle(state, req, res, raw, receivedAt));
  });
  server.maxRequestsPerSocket = 0;
  server.on('connection', () => { state.connections += 1; });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function textOf(tokenizer: ScriptedTokenizer, prompt: CompletionBody['prompt']): string {
  if (prompt === undefined || typeof prompt === 'string') return prompt ?? '';
  const ids = Array.isArray(prompt[0]) ? (prompt[0] as number[]) : (prompt as number[]);
  return tokenizer.decode(ids);
}

const TOKEN_TEXT = Array.from({ length: 64 }, (_, i) => `t${i} `);

function handle(state: ScriptedOpenAiServer, req: http.IncomingMessage, res: http.ServerResponse, raw: string, receivedAt: number): void {
  const script = state.script;
  const chat = req.url === '/v1/chat/completions';
  // Every route wants the key, the tokenizer's too (as behind a gateway; vLLM itself checks it on /v1 only).
  if (script.apiKey && req.headers.authorization !== `Bearer ${script.apiKey}`) { res.writeHead(401).end('{"error":"bad key"}'); return; }
  if (state.tokenizer.route(req, res, raw)) return;
  if (req.method !== 'POST' || (!chat && req.url !== '/v1/completions')) { res.writeHead(404).end('{"error":"not found"}'); return; }
  state.requests += 1;
  const body = JSON.parse(raw) as CompletionBody;
  if (state.lastBodies.length >= 20) state.lastBodies.shift();
  state.lastBodies.push(body as Record<string, unknown>);
  if (script.failEvery && state.requests % script.failEvery === 0) { res.writeHead(500).end('{"error":"scripted failure"}'); return; }
  const id = String(req.headers['x-request-id'] ?? state.requests);
  const timing: ServerTiming = { receivedAt, firstTokenAt: null, tokenAt: [] };
  state.timings.set(id, timing);
  if (!chat && body.echo === true && body.logprobs !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.tokenizer.echo(body.prompt, script.logprob ?? (() => -1))));
    return;
  }
  const prompt = chat ? (body.messages ?? []).map((m) => m.content ?? '').join('\n') : textOf(state.tokenizer, body.prompt);
  let answer: string | undefined;
  try {
    answer = typeof script.answer === 'function' ? script.answer(prompt, { model: body.model ?? null, authorization: req.headers.authorization ?? null }) : script.answer;
  } catch (error) {
    // An answer function that throws scripts a failure for that prompt only.
    res.writeHead(500).end(JSON.stringify({ error: (error as Error).message }));
    return;
  }
  const words = answer !== undefined ? answer.split(/(?<=\s)/) : null;
  const count = Math.min(words ? words.length : script.outputTokens, body.max_tokens ?? Infinity);
  if (body.stream !== true) {
    // Non-streamed (evaluation runners; lm_eval sends no "stream", and OpenAI's default is false): the whole answer
    // after the first-token delay.
    const content = words ? words.slice(0, count).join('') : TOKEN_TEXT.slice(0, count).join('');
    const reply = setTimeout(() => {
      timing.firstTokenAt = performance.timeOrigin + performance.now();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [chat ? { index: 0, message: { role: 'assistant', content } } : { index: 0, text: content }] }));
    }, script.firstTokenDelayMs);
    res.on('close', () => clearTimeout(reply)); // a client that gave up (a cancelled run) leaves no timer behind
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  state.open += 1;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  res.on('close', () => { state.open -= 1; if (timer) clearTimeout(timer); });
  // Pre-serialised frames: at hundreds of streams the server's own work must stay small beside the client's.
  const chunk = (text: string) => (chat ? `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}}}]}\n\n` : `data: {"choices":[{"index":0,"text":${JSON.stringify(text)}}]}\n\n`);
  // Each token is due at an absolute time (first + n × gap after the request arrived), not one gap after the previous
  // write: a timer that fires late on a loaded machine then delays that token only, instead of every later one.
  const due = (n: number) => receivedAt + script.firstTokenDelayMs + n * script.interTokenDelayMs;
  const schedule = () => { timer = setTimeout(next, Math.max(0, due(sent) - (performance.timeOrigin + performance.now()))); };
  const next = () => {
    if (script.dropAfterTokens !== undefined && sent >= script.dropAfterTokens) { res.destroy(); return; }
    if (sent >= count) {
      if (script.usage !== false && body.stream_options?.include_usage) {
        res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: prompt.split(/\s+/).filter(Boolean).length, completion_tokens: sent } })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
      return;
    }
    const writtenAt = performance.timeOrigin + performance.now();
    if (sent === 0) timing.firstTokenAt = writtenAt;
    timing.tokenAt.push(writtenAt);
    res.write(chunk(words ? words[sent] : TOKEN_TEXT[sent % TOKEN_TEXT.length]));
    sent += 1;
    schedule();
  };
  schedule();
}
