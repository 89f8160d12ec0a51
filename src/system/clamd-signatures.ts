import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { helperEnv } from './helper-env';

/** The EICAR test file (68 bytes) and what clamd calls it when the test database's `.hdb` entry matches. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const EICAR_MD5 = '44d88612fea8a8f36de82e1278abb02f';
/** clamd appends `.UNOFFICIAL` to signatures that are not from its signed databases. */
export const EICAR_SIGNATURE = 'Eicar-Test-Signature.UNOFFICIAL';

/** Where a signature database came from: INSTALLED and FRESHCLAM are ClamAV's real ones; TEST_ONLY knows EICAR only. */
export type SignatureSource = 'INSTALLED' | 'FRESHCLAM' | 'TEST_ONLY';

export interface SignatureDatabase {
  readonly dir: string;
  readonly source: SignatureSource;
  /** One line for the banner and the log: what it is and why. */
  readonly note: string;
}

/** A database with only the EICAR signature: enough to prove the wiring, not to protect anyone. */
export async function writeTestSignatureDatabase(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'modelhub-test.hdb'), `${EICAR_MD5}:${EICAR.length}:Eicar-Test-Signature\n`);
}

/** ClamAV's own signed databases (main, daily, bytecode) as freshclam or a package leaves them. */
export async function hasOfficialSignatures(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some((name) => /^(main|daily)\.(cvd|cld)$/.test(name));
}

function findFreshclam(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'];
  return dirs.map((dir) => path.join(dir, 'freshclam')).find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * One freshclam run into `dir`, bounded by `timeoutMs`: true when it left official signatures there. Offline it
 * fails within a second (the mirror's name does not resolve); a slow mirror is cut at the deadline.
 */
export async function runFreshclamOnce(dir: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const freshclam = findFreshclam();
  if (!freshclam) return { ok: false, detail: 'freshclam is not installed' };
  await mkdir(dir, { recursive: true });
  const conf = path.join(dir, 'freshclam.conf');
  // DatabaseOwner is whoever runs this: as root freshclam would otherwise switch to a `clamav` user that may not exist.
  await writeFile(
    conf,
    [`DatabaseDirectory ${dir}`, 'DatabaseMirror database.clamav.net', `DatabaseOwner ${os.userInfo().username}`, 'ConnectTimeout 10', 'ReceiveTimeout 60', 'MaxAttempts 1', 'Foreground yes'].join('\n') + '\n',
  );
  const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn(freshclam, [`--config-file=${conf}`, `--datadir=${dir}`, '--stdout'], { stdio: ['ignore', 'pipe', 'pipe'], env: helperEnv() });
    let text = '';
    const keep = (chunk: Buffer) => (text = (text + chunk.toString('utf8')).slice(-2000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => resolve({ code: -1, text: error.message }));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, text });
    });
  });
  const ok = output.code === 0 && (await hasOfficialSignatures(dir));
  const last = output.text.trim().split('\n').filter((l) => /ERROR|WARNING/.test(l)).pop() ?? `exit code ${output.code}`;
  return { ok, detail: ok ? 'updated' : last.slice(0, 300) };
}

export interface SignatureChoice {
  /** The distribution's database folder (CLAMAV_DATABASE_DIR, default /var/lib/clamav). */
  installedDir: string;
  /** Our own folder: freshclam downloads into `<dataDir>/db`, the test database goes to `<dataDir>/test-db`. */
  dataDir: string;
  /** 0: do not try freshclam. */
  freshclamTimeoutMs: number;
}

/**
 * The database clamd loads: the installed one when it holds ClamAV's signatures, else one freshclam run (kept for
 * the next start, which uses it again if the mirror is then out of reach), else a test-only database with EICAR.
 */
export async function chooseSignatureDatabase(choice: SignatureChoice): Promise<SignatureDatabase> {
  if (await hasOfficialSignatures(choice.installedDir)) {
    return { dir: choice.installedDir, source: 'INSTALLED', note: `ClamAV signatures installed in ${choice.installedDir}` };
  }
  const downloaded = path.join(choice.dataDir, 'db');
  let why = 'freshclam not tried (FRESHCLAM_TIMEOUT_MS=0)';
  if (choice.freshclamTimeoutMs > 0) {
    const run = await runFreshclamOnce(downloaded, choice.freshclamTimeoutMs);
    if (run.ok) return { dir: downloaded, source: 'FRESHCLAM', note: `ClamAV signatures from freshclam in ${downloaded}` };
    why = `freshclam could not update: ${run.detail}`;
  }
  if (await hasOfficialSignatures(downloaded)) {
    return { dir: downloaded, source: 'FRESHCLAM', note: `ClamAV signatures an earlier freshclam run left in ${downloaded} (${why})` };
  }
  const testDir = path.join(choice.dataDir, 'test-db');
  await writeTestSignatureDatabase(testDir);
  return {
    dir: testDir,
    source: 'TEST_ONLY',
    note: `TEST-ONLY signature database (EICAR only) in ${testDir}: no ClamAV signatures in ${choice.installedDir} and ${why}`,
  };
}
