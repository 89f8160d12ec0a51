import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/** What the test signature database detects (freshclam cannot reach the internet here, so the tests write one). */
export const TEST_SIGNATURES = {
  /** The EICAR test file: `.hdb` entry md5:size:name; clamd appends `.UNOFFICIAL` to custom signatures. */
  eicar: 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*',
  eicarName: 'Eicar-Test-Signature.UNOFFICIAL',
  /** Matched anywhere in a stream by the `.ndb` body rule. */
  marker: 'modelhub-clamav-test-marker',
  markerName: 'ModelHub.Test.Marker.UNOFFICIAL',
};

/** clamd's stream limit in the tests: small, so "too large for ClamAV" is cheap to provoke. */
export const TEST_STREAM_MAX_BYTES = 64 * 1024 * 1024;

export interface TestClamd {
  port: number;
  /** Its signature database folder: a test may add or remove signatures there, then send clamd RELOAD. */
  databaseDir: string;
  stop(): Promise<void>;
}

export const CLAMD_INSTALL_HINT = 'clamd is not installed: apt-get install clamav-daemon (the tests start it on loopback with their own signature database)';

function clamdBinary(): string | null {
  for (const candidate of [process.env.CLAMD_PATH, '/usr/sbin/clamd', '/usr/bin/clamd']) {
    if (candidate && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return null;
}

async function listening(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** A real clamd on loopback with a database written here; as root it keeps running as root (no `User`). */
export async function startTestClamd(): Promise<TestClamd> {
  const binary = clamdBinary();
  if (!binary) throw new Error(CLAMD_INSTALL_HINT);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-clamd-'));
  const db = path.join(dir, 'db');
  await mkdir(db);
  const eicarMd5 = '44d88612fea8a8f36de82e1278abb02f';
  await writeFile(path.join(db, 'test.hdb'), `${eicarMd5}:${TEST_SIGNATURES.eicar.length}:Eicar-Test-Signature\n`);
  await writeFile(path.join(db, 'test.ndb'), `ModelHub.Test.Marker:0:*:${Buffer.from(TEST_SIGNATURES.marker).toString('hex')}\n`);
  const port = await freePort();
  const limit = `${TEST_STREAM_MAX_BYTES / (1024 * 1024)}M`;
  const conf = path.join(dir, 'clamd.conf');
  await writeFile(
    conf,
    [
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `DatabaseDirectory ${db}`,
      'Foreground yes',
      `StreamMaxLength ${limit}`,
      `MaxFileSize ${limit}`,
      `MaxScanSize ${TEST_STREAM_MAX_BYTES / (512 * 1024)}M`,
      // Without it clamd answers OK for a stream over MaxFileSize, whatever it holds.
      'AlertExceedsMax yes',
      'SelfCheck 0',
      'MaxThreads 4',
      'ReadTimeout 120',
      `LogFile ${path.join(dir, 'clamd.log')}`,
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (!(await listening(port, 30_000))) {
    child.kill('SIGKILL');
    throw new Error(`clamd did not start listening on 127.0.0.1:${port}: ${stderr.slice(-2000)}`);
  }
  return {
    port,
    databaseDir: db,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
