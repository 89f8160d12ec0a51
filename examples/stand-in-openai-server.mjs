#!/usr/bin/env node
// A STAND-IN for an inference server, for trying ModelHub's evaluation flow on a laptop (README "First 10 minutes").
// It speaks the OpenAI-compatible routes ModelHub's evaluations and benchmarks call (/v1/chat/completions,
// /v1/completions, /v1/models) but there is no model behind it: it answers arithmetic questions ("What is 17 + 25?")
// by computing them and says it cannot answer anything else. Scores measured against it measure this script, not
// your model: in real use point the evaluation at the engine serving the version (vLLM, TGI, llama.cpp server, …).
//
//   node examples/stand-in-openai-server.mjs [--port 8089]   runs in the foreground, prints its URL
//   node examples/stand-in-openai-server.mjs --background     starts it detached, prints "<url> <pid>", returns;
//                                                             it exits by itself after 30 idle minutes (or kill <pid>;
//                                                             STAND_IN_IDLE_EXIT_S sets another idle time)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : args.includes('--background') || process.env.STAND_IN_CHILD ? 0 : 8089;
const IDLE_EXIT_MS = Number(process.env.STAND_IN_IDLE_EXIT_S ?? 1800) * 1000;
const MODEL = 'stand-in';

if (args.includes('--background')) {
  // A detached copy of this script on a free port; its first output line is its URL. Nothing else is ever printed,
  // so closing our end of the pipe does not disturb it.
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--port', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, STAND_IN_CHILD: '1' },
  });
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
    if (!text.includes('\n')) return;
    process.stdout.write(`${text.split('\n')[0]} ${child.pid}\n`);
    child.stdout.destroy();
    child.unref();
  });
  child.on('exit', (code) => {
    if (!text.includes('\n')) {
      process.stderr.write(`the stand-in server exited (${code}) before it listened\n`);
      process.exit(1);
    }
  });
} else {
  serve();
}

/** "What is 17 + 25?" → "42"; only two integers and one of + - * x ×. */
function answer(prompt) {
  const m = /(-?\d{1,12})\s*([-+*x×])\s*(-?\d{1,12})/.exec(prompt);
  if (!m) return 'I am a stand-in for a model and only do arithmetic such as 2 + 2.';
  const [a, b] = [BigInt(m[1]), BigInt(m[3])];
  return String(m[2] === '+' ? a + b : m[2] === '-' ? a - b : a * b);
}

function words(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1 << 20) req.destroy(new Error('body over 1 MiB'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function completion(req, res, chat) {
  const body = await readJson(req);
  const prompt = chat ? String([...(body.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '') : String(body.prompt ?? '');
  const text = answer(prompt);
  const id = `standin-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: words(prompt), completion_tokens: words(text), total_tokens: words(prompt) + words(text) };
  const object = chat ? 'chat.completion' : 'text_completion';
  if (body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const delta = chat ? { delta: { role: 'assistant', content: text } } : { text };
    res.write(`data: ${JSON.stringify({ id, object: `${object}.chunk`, created, model: MODEL, choices: [{ index: 0, ...delta, finish_reason: null }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ id, object: `${object}.chunk`, created, model: MODEL, choices: [{ index: 0, ...(chat ? { delta: {} } : { text: '' }), finish_reason: 'stop' }], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  const choice = chat ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' } : { index: 0, text, finish_reason: 'stop' };
  send(res, 200, { id, object, created, model: MODEL, choices: [choice], usage });
}

function serve() {
  let idle = setTimeout(() => process.exit(0), IDLE_EXIT_MS);
  const server = http.createServer((req, res) => {
    clearTimeout(idle);
    idle = setTimeout(() => process.exit(0), IDLE_EXIT_MS);
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    const done = (promise) => promise.catch((error) => send(res, 400, { error: { message: String(error.message ?? error), type: 'invalid_request_error' } }));
    if (route === 'POST /v1/chat/completions') return void done(completion(req, res, true));
    if (route === 'POST /v1/completions') return void done(completion(req, res, false));
    if (route === 'GET /v1/models') return send(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'examples' }] });
    send(res, 404, { error: { message: `${route} is not served by the stand-in`, type: 'not_found' } });
  });
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
}
