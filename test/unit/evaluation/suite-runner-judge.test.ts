import { EvalTaskKind, validateSuite } from '../../../src/domain/evaluation/eval-suite';
import { runSuite } from '../../../src/evaluation/suite-runner';

describe('suite runner without a judge', () => {
  it('fails a JUDGE task before any request when the worker has no judge endpoint', async () => {
    const suite = validateSuite({ name: 's', tasks: [{ name: 'mt', kind: EvalTaskKind.JUDGE, dataset: 'mt.jsonl' }] });
    const target = { baseUrl: 'http://127.0.0.1:9', model: 'm' }; // port 9 (discard): a request would fail differently
    const lmEval = { bin: 'lm_eval', includePath: null, concurrency: 1, env: {} };
    await expect(runSuite(target, suite, { datasets: { dir: '/nonexistent', hub: { endpoint: 'http://127.0.0.1:9', token: null }, cacheDir: '/nonexistent' }, judge: null, lmEval }, new AbortController().signal, () => undefined))
      .rejects.toThrow('task mt: JUDGE tasks need a judge endpoint configured on the worker (EVAL_JUDGE_URL, EVAL_JUDGE_MODEL)');
  });
});
