import path from 'node:path';
import { ConfigError, type Env, intVar, optional } from './env-vars';

/** The LLM-as-judge endpoint JUDGE tasks send every answer to (OpenAI-compatible chat completions). */
export interface JudgeEndpointConfig {
  /** EVAL_JUDGE_URL: base URL; requests go to <url>/v1/chat/completions. Checked against URL_IMPORT_ALLOW like targets. */
  readonly url: string;
  /** EVAL_JUDGE_MODEL: the judge's served model name, recorded with every judged score. */
  readonly model: string;
  /** EVAL_JUDGE_API_KEY: sent as a bearer token; never logged, stored or returned. */
  readonly apiKey: string | null;
}

export interface EvalConfig {
  /** Null: no judge configured, and runEvaluation refuses suites with JUDGE tasks. */
  readonly judge: JudgeEndpointConfig | null;
  readonly lmEval: {
    /** LM_EVAL_BIN: the harness CLI; default `lm_eval` looked up on PATH when a task needs it. */
    readonly bin: string;
    /** LM_EVAL_INCLUDE_PATH: a folder of extra harness task YAMLs (--include_path), e.g. tasks over local datasets. */
    readonly includePath: string | null;
    /** LM_EVAL_CONCURRENCY: requests the harness keeps in flight (num_concurrent). */
    readonly concurrency: number;
    /**
     * The harness subprocess's whole environment: PATH, HOME, locale and the Hugging Face settings (caches, offline
     * mode, token for gated datasets) of this process; never its database URL or secrets.
     */
    readonly env: Readonly<Record<string, string>>;
  };
}

const HARNESS_ENV = /^(?:PATH|HOME|LANG|LC_ALL|TMPDIR|XDG_CACHE_HOME|SSL_CERT_FILE|REQUESTS_CA_BUNDLE|HF_[A-Z_]+)$/;

export function loadEvalConfig(env: Env, cwd: string): EvalConfig {
  const url = optional(env, 'EVAL_JUDGE_URL');
  const model = optional(env, 'EVAL_JUDGE_MODEL');
  if ((url === null) !== (model === null)) throw new ConfigError('EVAL_JUDGE_URL and EVAL_JUDGE_MODEL are set together (the judge endpoint and its served model)');
  if (url !== null && !/^https?:\/\/[^\s/]+/.test(url)) throw new ConfigError('EVAL_JUDGE_URL must be an http or https URL');
  const includePath = optional(env, 'LM_EVAL_INCLUDE_PATH');
  return {
    judge: url !== null && model !== null ? { url: url.replace(/\/+$/, ''), model, apiKey: optional(env, 'EVAL_JUDGE_API_KEY') } : null,
    lmEval: {
      bin: optional(env, 'LM_EVAL_BIN') ?? 'lm_eval',
      includePath: includePath === null ? null : path.resolve(cwd, includePath),
      concurrency: intVar(env, 'LM_EVAL_CONCURRENCY', 4, 1, 256),
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => HARNESS_ENV.test(e[0]) && e[1] !== undefined)),
    },
  };
}
