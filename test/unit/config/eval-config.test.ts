import { ConfigError } from '../../../src/config/env-vars';
import { loadEvalConfig } from '../../../src/config/eval-config';

describe('evaluation config', () => {
  it('has no judge by default and runs lm_eval from PATH', () => {
    expect(loadEvalConfig({}, '/srv')).toEqual({ judge: null, lmEval: { bin: 'lm_eval', includePath: null, concurrency: 4, env: {} } });
  });

  it('reads the judge endpoint, whose URL and model come together', () => {
    const config = loadEvalConfig({ EVAL_JUDGE_URL: 'https://judge.internal/', EVAL_JUDGE_MODEL: 'gpt-judge', EVAL_JUDGE_API_KEY: 'k' }, '/srv');
    expect(config.judge).toEqual({ url: 'https://judge.internal', model: 'gpt-judge', apiKey: 'k' });
    expect(() => loadEvalConfig({ EVAL_JUDGE_URL: 'https://judge.internal' }, '/srv')).toThrow(ConfigError);
    expect(() => loadEvalConfig({ EVAL_JUDGE_MODEL: 'm' }, '/srv')).toThrow(/set together/);
    expect(() => loadEvalConfig({ EVAL_JUDGE_URL: 'ftp://x', EVAL_JUDGE_MODEL: 'm' }, '/srv')).toThrow(/http or https/);
  });

  it("gives the harness only PATH, HOME, locale and Hugging Face settings, never the server's secrets", () => {
    const config = loadEvalConfig({
      PATH: '/usr/bin', HOME: '/home/w', HF_HOME: '/cache/hf', HF_TOKEN: 'hf_x', DATABASE_URL: 'postgres://u:p@db/x', SECRETS_KEY: 's'.repeat(32),
      JWT_SECRET: 'j', EVAL_JUDGE_API_KEY: 'k', LM_EVAL_INCLUDE_PATH: 'tasks', LM_EVAL_CONCURRENCY: '8',
    }, '/srv');
    expect(config.lmEval).toEqual({ bin: 'lm_eval', includePath: '/srv/tasks', concurrency: 8, env: { PATH: '/usr/bin', HOME: '/home/w', HF_HOME: '/cache/hf', HF_TOKEN: 'hf_x' } });
    expect(() => loadEvalConfig({ LM_EVAL_CONCURRENCY: '0' }, '/srv')).toThrow(/LM_EVAL_CONCURRENCY/);
  });
});
