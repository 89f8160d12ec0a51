import { harnessArgv } from '../../../src/evaluation/lm-eval-runner';

const settings = { bin: 'lm_eval', includePath: null, concurrency: 3, env: {} };

describe('lm_eval command line', () => {
  it('drives local-completions with the served model and never the API key', () => {
    const argv = harnessArgv({ baseUrl: 'http://gpu-1:8000/', model: 'llama-3-8b', apiKey: 'sk-secret' }, { task: 'gsm8k', numFewshot: 5, api: 'completions' }, 20, settings, '/tmp/out');
    expect(argv).toEqual([
      '--model', 'local-completions',
      '--model_args', 'model=llama-3-8b,base_url=http://gpu-1:8000/v1/completions,num_concurrent=3,tokenized_requests=False,tokenizer_backend=None',
      '--tasks', 'gsm8k', '--output_path', '/tmp/out', '--limit', '20', '--num_fewshot', '5',
    ]);
    expect(argv.join(' ')).not.toContain('sk-secret');
  });

  it('drives local-chat-completions with the chat template, and passes the include path', () => {
    const argv = harnessArgv({ baseUrl: 'http://h', model: 'm' }, { task: 't', numFewshot: null, api: 'chat' }, null, { ...settings, includePath: '/tasks' }, '/o');
    expect(argv).toEqual(['--model', 'local-chat-completions', '--model_args', 'model=m,base_url=http://h/v1/chat/completions,num_concurrent=3,tokenized_requests=False,tokenizer_backend=None',
      '--tasks', 't', '--output_path', '/o', '--apply_chat_template', '--include_path', '/tasks']);
  });

  it('tokenizes through the endpoint for loglikelihood tasks when asked (tokenizer "remote")', () => {
    const argv = harnessArgv({ baseUrl: 'http://vllm:8000', model: 'm', apiKey: 'sk-secret' }, { task: 'hellaswag', numFewshot: null, api: 'completions', tokenizer: 'remote' }, null, settings, '/o');
    expect(argv.slice(0, 4)).toEqual(['--model', 'local-completions', '--model_args', 'model=m,base_url=http://vllm:8000/v1/completions,num_concurrent=3,tokenized_requests=True,tokenizer_backend=remote']);
    expect(argv.join(' ')).not.toContain('sk-secret');
  });

  it('refuses model names that would smuggle in model_args', () => {
    expect(() => harnessArgv({ baseUrl: 'http://h', model: 'm,base_url=http://evil' }, { task: 't', numFewshot: null, api: 'chat' }, null, settings, '/o')).toThrow(/model_args/);
  });
});
