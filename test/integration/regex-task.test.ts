import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EvalTaskKind } from '../../src/domain/evaluation/eval-suite';
import { runSuite } from '../../src/evaluation/suite-runner';
import { type ScriptedOpenAiServer, startScriptedOpenAiServer } from '../support/scripted-openai-server';

/** REGEX_MATCH patterns come from datasets anyone may publish: a catastrophic one must not hold the worker. */
describe('REGEX_MATCH with a catastrophic pattern from the dataset', () => {
  let dir: string;
  let server: ScriptedOpenAiServer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-regex-'));
    await writeFile(path.join(dir, 'regex.jsonl'), [
      { prompt: 'say a lot of a', pattern: '^(a+)+$' }, // exponential backtracking on "aaa…ab"
      { prompt: 'say a lot of a too', pattern: 'a+b' },
    ].map((r) => JSON.stringify(r)).join('\n'));
    server = await startScriptedOpenAiServer({ firstTokenDelayMs: 1, interTokenDelayMs: 0, outputTokens: 1, answer: `${'a'.repeat(40)}b` });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores the row as failed after a second, the event loop free meanwhile', async () => {
    let last = Date.now();
    let longest = 0;
    const ticker = setInterval(() => { const now = Date.now(); longest = Math.max(longest, now - last); last = now; }, 20);
    const started = Date.now();
    try {
      const [score] = await runSuite(
        { baseUrl: server.url, model: 'm' },
        { name: 's', tasks: [{ name: 'regex', kind: EvalTaskKind.REGEX_MATCH, dataset: 'regex.jsonl', limit: null, maxTokens: 64 }] },
        { datasets: { dir, hub: { endpoint: 'http://127.0.0.1:9', token: null }, cacheDir: dir }, judge: null, lmEval: { bin: 'lm_eval', includePath: null, concurrency: 1, env: {} } },
        new AbortController().signal,
        () => undefined,
      );
      expect(score).toMatchObject({ score: 0.5, n: 2, details: { failedRequests: 1 } });
    } finally {
      clearInterval(ticker);
    }
    expect(Date.now() - started).toBeLessThan(5000);
    // The heartbeat timeout is 3 s: the loop was never blocked for anything near it.
    expect(longest).toBeLessThan(1500);
  });
});
