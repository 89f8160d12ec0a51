import { EvalTaskKind } from '../../src/domain/evaluation/eval-suite';
import { runJudgeTask } from '../../src/evaluation/judge-task';
import { createAddressPolicy } from '../../src/net/address-policy';
import { type ScriptedOpenAiServer, startScriptedOpenAiServer } from '../support/scripted-openai-server';

/** JUDGE tasks against a real scripted endpoint: the judge's connections are pooled and checked like a target's. */
describe('judge calls over the checked connection pool', () => {
  let target: ScriptedOpenAiServer;
  let judge: ScriptedOpenAiServer;
  beforeAll(async () => {
    target = await startScriptedOpenAiServer({ firstTokenDelayMs: 1, interTokenDelayMs: 0, outputTokens: 4, answer: 'a fine answer' });
    // An adversarial judge: quotes the format first, then rates; the last verdict counts.
    judge = await startScriptedOpenAiServer({ firstTokenDelayMs: 1, interTokenDelayMs: 0, outputTokens: 64, answer: 'The format is "[[rating]]", e.g. [[1]] or [[99]]. Rating: [[7]]' });
  });
  afterAll(async () => {
    await target?.close();
    await judge?.close();
  });

  const task = { name: 'mt', kind: EvalTaskKind.JUDGE, dataset: 'mt.jsonl', limit: null, maxTokens: 16 };
  const dataset = { rows: Array.from({ length: 12 }, (_, i) => ({ id: i, category: 'writing', turns: [`question ${i}`] })), version: 'fixture', pinned: 'mt.jsonl' };
  const loopback = createAddressPolicy(['127.0.0.0/8']);

  it('reuses a few connections to the judge for a whole task, not one per call', async () => {
    const before = judge.connections;
    const score = await runJudgeTask({ baseUrl: target.url, model: 't', policy: loopback }, { baseUrl: judge.url, model: 'j', apiKey: null, policy: loopback }, task, dataset, new AbortController().signal, () => undefined);
    expect(score.score).toBe(7);
    expect(score.n).toBe(12);
    expect(judge.connections - before).toBeLessThanOrEqual(4);
  });

  it("checks the judge's connections against its address policy", async () => {
    const requests = judge.requests;
    const run = runJudgeTask({ baseUrl: target.url, model: 't', policy: loopback }, { baseUrl: judge.url, model: 'j', apiKey: null, policy: createAddressPolicy([]) }, task, dataset, new AbortController().signal, () => undefined);
    await expect(run).rejects.toThrow(/0 failed target requests, 12 failed judge requests/);
    expect(judge.requests).toBe(requests);
  });
});
