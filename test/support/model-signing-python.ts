import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureSharedVenv } from './python-venv';

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
export function ensureModelSigningVenv(): Promise<void> {
  return ensureSharedVenv(MODEL_SIGNING_VENV, [`model-signing==${MODEL_SIGNING_VERSION}`, `pyOpenSSL==${PYOPENSSL_VERSION}`], 'the signed-version tests');
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
