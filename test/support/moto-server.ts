import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { ensureSharedVenv } from './python-venv';

/**
 * moto's S3 server (PyPI `moto[server]`), for what s3rver does not implement: ListMultipartUploads and
 * AbortMultipartUpload (s3rver 3.7 answers NotImplemented / 405 to both), which the upload sweeper's test needs to
 * see an abandoned multipart upload really aborted in the bucket. In a virtualenv outside the clone, made once.
 */
export const MOTO_VERSION = '5.2.5';
const VENV = path.join(os.homedir(), '.cache', 'modelhub', `venv-moto-${MOTO_VERSION}`);

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startMotoServer(): Promise<MotoServer> {
  await ensureSharedVenv(VENV, [`moto[server]==${MOTO_VERSION}`], 'the upload sweeper test (S3 ListMultipartUploads)');
  const port = await freePort();
  const child: ChildProcess = spawn(path.join(VENV, 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited ${child.exitCode}: ${log}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (res) => res.status < 500,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within 60 s: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
