import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createVenv } from './python-venv';

const run = promisify(execFile);
export const MODEL_SIGNING_VERSION = '1.1.1';
// model-signing 1.1.1 imports OpenSSL (pyOpenSSL) for certificate verification without declaring it (sigstore 4
// stopped pulling it in): without it every command, `--help` included, fails on the import.
const PYOPENSSL_VERSION = '26.4.0';

/**
 * The OpenSSF model-signing CLI from PyPI in a virtualenv outside the clone (~/.cache/modelhub), keyed by version so
 * every clone and run shares one install (the tests' global setup makes it once). Offline use only: `sign key`,
 * `sign certificate` and their `verify` twins never reach a transparency log.
 */
export const MODEL_SIGNING_VENV = path.join(os.homedir(), '.cache', 'modelhub', `venv-model-signing-${MODEL_SIGNING_VERSION}`);
export const MODEL_SIGNING_BIN = path.join(MODEL_SIGNING_VENV, 'bin', 'model_signing');
// Written last: a venv without it is half an install.
const COMPLETE = path.join(MODEL_SIGNING_VENV, '.modelhub-complete');
const LOCK = `${MODEL_SIGNING_VENV}.lock`;
const WAIT_MS = 10 * 60_000;

export async function ensureModelSigningVenv(): Promise<void> {
  if (existsSync(COMPLETE)) return;
  await mkdir(path.dirname(MODEL_SIGNING_VENV), { recursive: true });
  try {
    await mkdir(LOCK); // another run installing holds it: wait for its marker
  } catch {
    for (let waited = 0; !existsSync(COMPLETE); waited += 1000) {
      if (waited > WAIT_MS) throw new Error(`${MODEL_SIGNING_VENV} is still being created by another run (or ${LOCK} was left behind: remove it)`);
      await sleep(1000);
    }
    return;
  }
  console.log(`creating ${MODEL_SIGNING_VENV} with model-signing==${MODEL_SIGNING_VERSION} from PyPI (once) for the signed-version tests…`);
  try {
    await rm(MODEL_SIGNING_VENV, { recursive: true, force: true });
    await createVenv(MODEL_SIGNING_VENV);
    await run(path.join(MODEL_SIGNING_VENV, 'bin', 'pip'), ['install', '-q', `model-signing==${MODEL_SIGNING_VERSION}`, `pyOpenSSL==${PYOPENSSL_VERSION}`], { maxBuffer: 16 * 1024 * 1024 });
    await writeFile(COMPLETE, `${new Date().toISOString()}\n`);
  } catch (error) {
    throw new Error(
      `Could not create ${MODEL_SIGNING_VENV} (needs python3 and PyPI: python3 -m venv <dir> && <dir>/bin/pip install model-signing==${MODEL_SIGNING_VERSION} pyOpenSSL==${PYOPENSSL_VERSION}): ${(error as Error).message}`,
    );
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

export interface ToolRun {
  code: number;
  /** stdout and stderr together: some 1.x releases exit 0 on a failed verification, so tests read the message. */
  output: string;
}

/** Runs `model_signing <args>`; never throws on a non-zero exit (the caller asserts on the message). */
export async function modelSigning(args: readonly string[], cwd?: string): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await run(MODEL_SIGNING_BIN, [...args], { cwd, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
