import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEntry } from './entry-process';
import { ENGINE_INSTALL_HINT, type EnginePrompt, type FinishReason, type LlamaEngine } from './llama-engine';

/**
 * An OpenAI-compatible HTTP server over a real llama.cpp engine (node-llama-cpp): POST /v1/chat/completions and
 * /v1/completions, streamed (SSE `data:` chunks, one per generated token, written as the engine produces it, a
 * usage chunk when `stream_options.include_usage`, then `[DONE]`) or not (usage in the body); GET /v1/models;
 * OpenAI-shaped JSON errors. It runs in its own process (test/support/llama-server-child.ts), so the engine's CPU
 * work stays out of jest and out of the Temporal worker.
 */
export async function serveOpenAi(engine: LlamaEngine, modelName: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { raw += c; });
    req.on('end', () => {
      route(engine, modelName, req, res, raw).catch((e: unknown) => {
        if (!res.headersSent) sendError(res, 500, e instanceof Error ? e.message : String(e), 'server_error');
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

class BadRequest extends Error {
  constructor(message: string, readonly status = 400, readonly code: string | null = null, readonly param: string | null = null) { super(message); }
}

function sendError(res: http.ServerResponse, status: number, message: string, type = 'invalid_request_error', code: string | null = null, param: string | null = null): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type, param, code } }));
}

interface CompletionRequest {
  chat: boolean;
  prompt: EnginePrompt;
  maxTokens: number;
  temperature: number;
  seed?: number;
  stream: boolean;
  includeUsage: boolean;
}

async function route(engine: LlamaEngine, modelName: string, req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') {
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', data: [{ id: modelName, object: 'model', created: 0, owned_by: 'modelhub-tests' }] }));
    return;
  }
  const chat = path === '/v1/chat/completions';
  if (req.method !== 'POST' || (!chat && path !== '/v1/completions')) {
    sendError(res, 404, `no route ${req.method} ${path}`, 'invalid_request_error', 'not_found');
    return;
  }
  let request: CompletionRequest;
  try {
    request = parseRequest(raw, chat, modelName, engine.contextSize);
  } catch (e) {
    if (e instanceof BadRequest) { sendError(res, e.status, e.message, 'invalid_request_error', e.code, e.param); return; }
    throw e;
  }
  const input = engine.promptTokens(request.prompt);
  if (input.length + request.maxTokens > engine.contextSize) {
    sendError(res, 400, `prompt (${input.length} tokens) + max_tokens (${request.maxTokens}) exceed the context of ${engine.contextSize}`, 'invalid_request_error', 'context_length_exceeded', 'max_tokens');
    return;
  }
  // A client that goes away stops generation at the next token and frees the sequence.
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });
  const id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const head = { id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model: modelName };
  const choice = (text: string | null, finish: FinishReason | null) =>
    chat ? { index: 0, delta: text === null ? {} : { content: text }, finish_reason: finish } : { index: 0, text: text ?? '', logprobs: null, finish_reason: finish };
  const generation = engine.generate(input, { maxTokens: request.maxTokens, temperature: request.temperature, seed: request.seed, signal: abort.signal });

  let completionTokens = 0;
  let text = '';
  let finish: FinishReason;
  if (request.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (body: object) => res.write(`data: ${JSON.stringify(body)}\n\n`);
    if (chat) send({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (;;) {
      const next = await generation.next();
      if (next.done) { finish = next.value; break; }
      completionTokens += 1;
      send({ ...head, choices: [choice(next.value.text, null)] });
    }
    if (finish === 'cancelled') { res.destroy(); return; }
    send({ ...head, choices: [choice(null, finish)] });
    const usage = { prompt_tokens: input.length, completion_tokens: completionTokens, total_tokens: input.length + completionTokens };
    if (request.includeUsage) send({ ...head, choices: [], usage });
    res.end('data: [DONE]\n\n');
    return;
  }
  for (;;) {
    const next = await generation.next();
    if (next.done) { finish = next.value; break; }
    completionTokens += 1;
    text += next.value.text;
  }
  if (finish === 'cancelled') return;
  const usage = { prompt_tokens: input.length, completion_tokens: completionTokens, total_tokens: input.length + completionTokens };
  const body = chat
    ? { id, object: 'chat.completion', created, model: modelName, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }], usage }
    : { id, object: 'text_completion', created, model: modelName, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], usage };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function parseRequest(raw: string, chat: boolean, modelName: string, contextSize: number): CompletionRequest {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    throw new BadRequest('the request body must be a JSON object');
  }
  if (body.model !== modelName) throw new BadRequest(`The model \`${String(body.model)}\` does not exist`, 404, 'model_not_found', 'model');
  const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? 16;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > contextSize) {
    throw new BadRequest(`max_tokens must be an integer from 1 to ${contextSize}`, 400, null, 'max_tokens');
  }
  const temperature = body.temperature ?? 1;
  if (typeof temperature !== 'number' || temperature < 0 || temperature > 2) throw new BadRequest('temperature must be a number from 0 to 2', 400, null, 'temperature');
  const seed = typeof body.seed === 'number' ? body.seed : undefined;
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  const common = { maxTokens, temperature, seed, stream: body.stream === true, includeUsage: streamOptions?.include_usage === true };
  if (chat) {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest('messages must be a non-empty array', 400, null, 'messages');
    const chatMessages = messages.map((m: unknown, i) => {
      const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
      if (typeof role !== 'string' || !['system', 'user', 'assistant'].includes(role) || typeof content !== 'string') {
        throw new BadRequest(`messages[${i}] needs a role (system, user, assistant) and string content`, 400, null, 'messages');
      }
      return { role, content };
    });
    return { chat, prompt: { chat: chatMessages }, ...common };
  }
  if (typeof body.prompt !== 'string') throw new BadRequest('prompt must be a string', 400, null, 'prompt');
  return { chat, prompt: { text: body.prompt }, ...common };
}

export interface LlamaOpenAiServer {
  url: string;
  model: string;
  /** Milliseconds the child took to load the engine and the model. */
  loadMs: number;
  close(): Promise<void>;
}

/**
 * Starts the server in a child process on a GGUF file and resolves once it listens. When the engine cannot be
 * loaded this rejects with the child's message, which says what to install: the smoke test fails, never skips.
 */
export async function startLlamaOpenAiServer(modelPath: string, model = 'tiny-llama', env: Record<string, string> = {}): Promise<LlamaOpenAiServer> {
  const child = startEntry('test/support/llama-server-child.ts', { LLAMA_MODEL_PATH: modelPath, LLAMA_MODEL_NAME: model, ...env });
  let line: string;
  try {
    line = await child.waitFor(/^\{"ready":true/, 60_000);
  } catch (error) {
    child.child.kill('SIGKILL');
    const reason = /LLAMA_ENGINE_UNAVAILABLE: .*/.exec(child.output())?.[0] ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`the llama.cpp engine did not start: ${reason}\n${ENGINE_INSTALL_HINT}`);
  }
  const ready = JSON.parse(line) as { url: string; loadMs: number };
  return {
    url: ready.url,
    model,
    loadMs: ready.loadMs,
    close: async () => {
      if (child.child.exitCode !== null || child.child.signalCode !== null) return;
      child.child.kill('SIGTERM');
      const timer = setTimeout(() => child.child.kill('SIGKILL'), 5_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}
