import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createVenv } from './python-venv';

const run = promisify(execFile);
const PYTHON = path.resolve(__dirname, '../../.venv-hf/bin/python');

const VENV = path.resolve(__dirname, '../../.venv-hf');

/**
 * Creates .venv-hf with the hub's own Python client once (PyPI), like the Temporal CLI is built once: the README's
 * `npm test` then needs only python3 (python3-venv is not needed: see createVenv). Says what it does; a failure says what to install.
 */
export async function ensureHfVenv(): Promise<void> {
  if (existsSync(PYTHON)) return;
  console.log('creating .venv-hf with huggingface_hub from PyPI (once) for the Hugging Face API tests…');
  try {
    await createVenv(VENV);
    await run(path.join(VENV, 'bin', 'pip'), ['install', '-q', 'huggingface_hub>=2.4,<3'], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`Could not create .venv-hf (needs python3 and PyPI): ${(error as Error).message}`);
  }
}

/**
 * Runs Python with the hub's own client (huggingface_hub from PyPI) from the project's .venv-hf, which
 * `.ci/run` creates. Fails with what to do when it is missing rather than skipping the test.
 */
export async function hfPython(script: string, env: Record<string, string>): Promise<string> {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: create it with "python3 -m venv .venv-hf && .venv-hf/bin/pip install 'huggingface_hub>=2.4,<3'" (.ci/run does this)`);
  }
  const { stdout } = await run(PYTHON, ['-c', script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_XET: '1', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}
