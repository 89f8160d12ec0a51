import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createVenv } from './python-venv';

const run = promisify(execFile);
export const LM_EVAL_VERSION = '0.4.13';

/**
 * lm-evaluation-harness from PyPI in a virtualenv outside the clone (~/.cache/modelhub), keyed by version so every
 * clone and run shares one install. "lm-eval[api]" brings no torch: the API models need only aiohttp, tiktoken and
 * datasets (about 50 s and 760 MB, once).
 */
export const LM_EVAL_VENV = path.join(os.homedir(), '.cache', 'modelhub', `venv-lm-eval-${LM_EVAL_VERSION}`);
export const LM_EVAL_BIN = path.join(LM_EVAL_VENV, 'bin', 'lm_eval');
// Written last: a venv without it is half an install (venv scripts name their interpreter by absolute path, so it is
// built in place rather than renamed into place).
const COMPLETE = path.join(LM_EVAL_VENV, '.modelhub-complete');
const LOCK = `${LM_EVAL_VENV}.lock`;
const WAIT_MS = 10 * 60_000;

export async function ensureLmEvalVenv(): Promise<void> {
  if (existsSync(COMPLETE)) return;
  await mkdir(path.dirname(LM_EVAL_VENV), { recursive: true });
  try {
    await mkdir(LOCK); // another run installing holds it: wait for its marker
  } catch {
    for (let waited = 0; !existsSync(COMPLETE); waited += 1000) {
      if (waited > WAIT_MS) throw new Error(`${LM_EVAL_VENV} is still being created by another run (or ${LOCK} was left behind: remove it)`);
      await sleep(1000);
    }
    return;
  }
  console.log(`creating ${LM_EVAL_VENV} with lm-eval[api]==${LM_EVAL_VERSION} from PyPI (once) for the lm-evaluation-harness tests…`);
  try {
    await rm(LM_EVAL_VENV, { recursive: true, force: true });
    await createVenv(LM_EVAL_VENV);
    await run(path.join(LM_EVAL_VENV, 'bin', 'pip'), ['install', '-q', `lm-eval[api]==${LM_EVAL_VERSION}`], { maxBuffer: 16 * 1024 * 1024 });
    await writeFile(COMPLETE, `${new Date().toISOString()}\n`);
  } catch (error) {
    throw new Error(`Could not create ${LM_EVAL_VENV} (needs python3 and PyPI: python3 -m venv <dir> && <dir>/bin/pip install "lm-eval[api]==${LM_EVAL_VERSION}"): ${(error as Error).message}`);
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}
