import os from 'node:os';
import path from 'node:path';
import { ensureSharedVenv } from './python-venv';

export const LM_EVAL_VERSION = '0.4.13';

/**
 * lm-evaluation-harness from PyPI in a virtualenv outside the clone (~/.cache/modelhub), keyed by version so every
 * clone and run shares one install. "lm-eval[api]" brings no torch: the API models need only aiohttp, tiktoken and
 * datasets (about 50 s and 760 MB, once).
 */
export const LM_EVAL_VENV = path.join(os.homedir(), '.cache', 'modelhub', `venv-lm-eval-${LM_EVAL_VERSION}`);
export const LM_EVAL_BIN = path.join(LM_EVAL_VENV, 'bin', 'lm_eval');

export function ensureLmEvalVenv(): Promise<void> {
  return ensureSharedVenv(LM_EVAL_VENV, [`lm-eval[api]==${LM_EVAL_VERSION}`], 'the lm-evaluation-harness tests');
}
