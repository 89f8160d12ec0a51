import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLAMD_INSTALL_HINT as FIND_HINT, ensureClamd, startClamd } from '../../src/system/clamd-daemon';
import { EICAR, EICAR_SIGNATURE, writeTestSignatureDatabase } from '../../src/system/clamd-signatures';
import { freePort } from './free-port';

/** What the test signature database detects (freshclam cannot reach the internet here, so the tests write one). */
export const TEST_SIGNATURES = {
  /** The EICAR test file: the `.hdb` entry of src/system/clamd-signatures.ts (the same one `npm run dev` falls back to). */
  eicar: EICAR,
  eicarName: EICAR_SIGNATURE,
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

export const CLAMD_INSTALL_HINT = `${FIND_HINT} (the tests start it on loopback with their own signature database)`;

/** A real clamd on loopback (src/system/clamd-daemon.ts, as `npm run dev` starts it) with the test database plus a marker rule. */
export async function startTestClamd(): Promise<TestClamd> {
  // A machine without clamav-daemon gets Debian's package unpacked into .tools/debian (no root), once.
  const found = await ensureClamd({ explicitPath: process.env.CLAMD_PATH ?? null, toolsDir: path.resolve(__dirname, '../../.tools') }, (line) => console.log(line));
  if (!found.binary) throw new Error(`${CLAMD_INSTALL_HINT}: ${found.reason}`);
  const binary = found.binary;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-clamd-'));
  const db = path.join(dir, 'db');
  await mkdir(db);
  await writeTestSignatureDatabase(db);
  await writeFile(path.join(db, 'test.ndb'), `ModelHub.Test.Marker:0:*:${Buffer.from(TEST_SIGNATURES.marker).toString('hex')}\n`);
  const clamd = await startClamd({ binary, databaseDir: db, workDir: dir, port: await freePort(), streamMaxBytes: TEST_STREAM_MAX_BYTES, startTimeoutMs: 30_000 });
  return {
    port: clamd.port,
    databaseDir: db,
    async stop() {
      await clamd.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
