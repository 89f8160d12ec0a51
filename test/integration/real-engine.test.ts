import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OpenAiStreamClient } from '../../src/benchmarking/openai-stream-client';
import type { RequestSample } from '../../src/benchmarking/load-types';
import { decodeSamples } from '../../src/benchmarking/sample-codec';
import { type LlamaOpenAiServer, startLlamaOpenAiServer } from '../support/llama-openai-server';
import { importVerified, OPERATION_FIELDS, waitForOperation } from '../support/onboarding-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { systemCaller } from '../../src/domain/auth/caller';
import { TINY_WORDS, writeTinyLlamaGguf } from '../support/tiny-gguf';

/**
 * Smoke test against a real inference engine on the CPU: llama.cpp (node-llama-cpp 3.21.1, prebuilt binary) in
 * its own process, serving a tiny GGUF written here, behind an OpenAI-compatible endpoint. It proves the load
 * generator and the evaluation runner work with real streamed tokens, not only with the scripted server. If the
 * engine cannot be loaded, beforeAll throws with what to install: the tests fail, never skip.
 */
const RUN_BENCH = `mutation($input: RunBenchmarkInput!) { runBenchmark(input: $input) { ${OPERATION_FIELDS} } }`;
const RUN_EVAL = `mutation($input: RunEvaluationInput!) { runEvaluation(input: $input) { ${OPERATION_FIELDS} } }`;
const EVALS = `query($m: ID!) { model(id: $m) { evaluations { benchmark score provenance metric n runner } } }`;
const profile = { gpuType: 'cpu', gpuCount: 0, engine: 'llama.cpp', engineVersion: 'node-llama-cpp 3.21.1', quantization: 'f32' };
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
/** The tiny model only ever generates its words (see tiny-gguf.ts), so this matches every answer it gives. */
const ONLY_MODEL_WORDS = `^(\\s*(${TINY_WORDS.map((w) => w.slice(1)).join('|')}))+\\s*$`;
const EVAL_MAX_TOKENS = 6;

interface Level { concurrency: number; requests: number; errors: number; errorRate: number; durationS: number; ttftMs: { p50: number }; itlMs: { p50: number }; e2eMs: { p50: number }; outputTokensPerSecond: number; requestsPerSecond: number }

describe('a real inference engine on the CPU (llama.cpp through node-llama-cpp)', () => {
  let dir: string;
  let engine: LlamaOpenAiServer;
  let t: TestApp;
  let ids: { modelId: string; versionId: string };
  const started = performance.now();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-llama-'));
    engine = await startLlamaOpenAiServer(await writeTinyLlamaGguf(path.join(dir, 'tiny-llama.gguf')));
    await mkdir(path.join(dir, 'datasets'));
    t = await startTestApp({ worker: true, env: { EVAL_DATASETS_DIR: path.join(dir, 'datasets') } });
    ids = await importVerified(t);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`real-engine smoke test: ${((performance.now() - started) / 1000).toFixed(1)} s (engine and model loaded in ${engine?.loadMs} ms)`);
  });

  const stream = async (api: 'chat' | 'completion', maxTokens: number): Promise<RequestSample> => {
    const client = new OpenAiStreamClient({ baseUrl: engine.url, model: engine.model });
    try {
      return await client.stream(api, { prompt: 'Write about llama models on a cpu.', maxTokens }, `smoke-${api}`, performance.now(), new AbortController().signal);
    } finally {
      client.close();
    }
  };

  it('streams real tokens to our client: TTFT, every inter-token gap, and usage equal to the tokens streamed', async () => {
    for (const api of ['chat', 'completion'] as const) {
      const sample = await stream(api, 48);
      expect(sample).toMatchObject({ status: 200, error: null, tokensCounted: false, outputTokens: 48 });
      expect(sample.inputTokens).toBeGreaterThan(5);
      expect(sample.ttftMs).toBeGreaterThan(0);
      // One gap per streamed token after the first: the chunks counted equal the completion tokens `usage` reports.
      expect(sample.itlMs).toHaveLength(sample.outputTokens - 1);
      expect(sample.itlMs.every((gap) => gap >= 0)).toBe(true);
      // Streamed as produced, not buffered into one write (which would arrive as one read, every gap 0). A busy
      // machine may coalesce some tokens into one read, so not every gap has to be positive.
      expect(sample.itlMs.filter((gap) => gap > 0).length).toBeGreaterThanOrEqual(10);
      const decodeMs = sample.e2eMs - sample.ttftMs!;
      console.log(`${api}: TTFT ${sample.ttftMs!.toFixed(1)} ms, ${sample.outputTokens} tokens, ${((sample.outputTokens - 1) / decodeMs * 1000).toFixed(0)} tokens/s after the first, e2e ${sample.e2eMs.toFixed(1)} ms`);
    }
  });

  it('answers like an OpenAI endpoint: models, usage in the body, JSON errors', async () => {
    const models = await (await fetch(`${engine.url}/v1/models`)).json();
    expect(models).toMatchObject({ object: 'list', data: [{ id: engine.model, object: 'model' }] });
    const post = (route: string, body: unknown) => fetch(`${engine.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const done = await post('/v1/completions', { model: engine.model, prompt: 'The tiny model', max_tokens: 5, temperature: 0 });
    expect(done.status).toBe(200);
    const body = (await done.json()) as { choices: { text: string }[] };
    expect(body).toMatchObject({ object: 'text_completion', choices: [{ finish_reason: 'length' }], usage: { completion_tokens: 5 } });
    expect(body.choices[0].text).toMatch(new RegExp(ONLY_MODEL_WORDS));
    const errors: [Response, number, string][] = [
      [await post('/v1/completions', { model: 'other', prompt: 'x' }), 404, 'model_not_found'],
      [await post('/v1/embeddings', { model: engine.model }), 404, 'not_found'],
    ];
    for (const [res, status, code] of errors) {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code });
    }
    for (const bad of ['{not json', { model: engine.model }, { model: engine.model, messages: [], max_tokens: 4 }, { model: engine.model, messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }]) {
      const res = await post('/v1/chat/completions', bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error' });
    }
  });

  it('runBenchmark through GraphQL and Temporal against the engine: SUCCEEDED with positive, consistent per-level metrics', async () => {
    const outputTokens = 16;
    const res = await t.gql(RUN_BENCH, { input: {
      versionId: ids.versionId,
      target: { url: engine.url, model: engine.model },
      profile,
      scenario: { api: 'chat', concurrencies: [1, 2], requestsPerLevel: 6, warmupRequests: 1, inputTokens: 24, outputTokens },
    } });
    expect(res.errors).toBeUndefined();
    const op = await waitForOperation(t, res.data!.runBenchmark.id);
    expect(op).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
    const list = await t.gql(`query($v: ID!) { benchmarks(versionId: $v) { id provenance operationId hardwareProfile levels } }`, { v: ids.versionId });
    const bench = list.data!.benchmarks.find((b: { operationId: string }) => b.operationId === op.id);
    expect(bench).toMatchObject({ provenance: 'MEASURED', hardwareProfile: '0xcpu llama.cpp f32' });
    const levels = bench.levels as Level[];
    expect(levels.map((l) => [l.concurrency, l.requests, l.errors, l.errorRate])).toEqual([[1, 6, 0, 0], [2, 6, 0, 0]]);
    for (const level of levels) {
      expect(level.ttftMs.p50).toBeGreaterThan(0);
      expect(level.itlMs.p50).toBeGreaterThan(0);
      expect(level.e2eMs.p50).toBeGreaterThan(level.ttftMs.p50);
      expect(level.requestsPerSecond).toBeGreaterThan(0);
      // Every request produced exactly `outputTokens` tokens (the model never stops early), counted from `usage`.
      expect(level.outputTokensPerSecond * level.durationS).toBeCloseTo(level.requests * outputTokens, 3);
      console.log(`level ${level.concurrency}: TTFT p50 ${level.ttftMs.p50.toFixed(1)} ms, ITL p50 ${level.itlMs.p50.toFixed(2)} ms, ${level.outputTokensPerSecond.toFixed(0)} output tokens/s, ${level.requestsPerSecond.toFixed(1)} requests/s`);
    }
    const samples = decodeSamples((await t.services.benchmarkRuns.samples(systemCaller('test'), bench.id))!);
    for (const level of samples) {
      expect(level.samples).toHaveLength(6);
      for (const s of level.samples) {
        expect(s).toMatchObject({ error: null, status: 200, tokensCounted: false, outputTokens });
        expect(s.itlMs).toHaveLength(outputTokens - 1);
        expect(s.inputTokens).toBeGreaterThan(0);
      }
    }
  });

  it('runEvaluation against the engine: exact-match and regex fixtures scored on its real answers, as MEASURED rows', async () => {
    // The engine is deterministic at temperature 0: its own answer to E1 is the right one, and it cannot say "Bergen".
    const direct = await fetch(`${engine.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: engine.model, messages: [{ role: 'user', content: 'E1: capital of France?' }], max_tokens: EVAL_MAX_TOKENS, temperature: 0 }),
    });
    const e1 = ((await direct.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content;
    const datasets = path.join(dir, 'datasets');
    await writeFile(path.join(datasets, 'exact.jsonl'), jsonl([{ prompt: 'E1: capital of France?', answer: e1 }, { prompt: 'E2: capital of Norway?', answer: 'Bergen' }]));
    await writeFile(path.join(datasets, 'regex.jsonl'), jsonl(['R1: say something.', 'R2: name a tensor.', 'R3: count to three.'].map((prompt) => ({ prompt, pattern: ONLY_MODEL_WORDS }))));
    const res = await t.gql(RUN_EVAL, { input: { versionId: ids.versionId, target: { url: engine.url, model: engine.model }, suite: { name: 'real-engine', tasks: [
      { name: 'llama-exact', kind: 'EXACT_MATCH', dataset: 'exact.jsonl', maxTokens: EVAL_MAX_TOKENS },
      { name: 'llama-regex', kind: 'REGEX_MATCH', dataset: 'regex.jsonl', maxTokens: EVAL_MAX_TOKENS },
    ] } } });
    expect(res.errors).toBeUndefined();
    expect(await waitForOperation(t, res.data!.runEvaluation.id)).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
    const evals = (await t.gql(EVALS, { m: ids.modelId })).data!.model.evaluations as { benchmark: string }[];
    expect(evals.find((e) => e.benchmark === 'llama-exact')).toMatchObject({ provenance: 'MEASURED', metric: 'exact_match', n: 2, score: 0.5, runner: 'modelhub-builtin' });
    expect(evals.find((e) => e.benchmark === 'llama-regex')).toMatchObject({ provenance: 'MEASURED', n: 3, score: 1 });
  });
});
