import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface PypiRelease {
  urls: { filename: string; url: string; packagetype: string; digests: { sha256: string } }[];
}

/**
 * A virtualenv at `dir` with pip in it. `python3 -m venv` needs Debian's python3-venv (root to install); without
 * it the venv is made `--without-pip` and pip's own wheel from PyPI (sha256 checked against PyPI's JSON API)
 * installs pip into it, as get-pip does, with no root.
 */
export async function createVenv(dir: string, progress: (line: string) => void = console.log): Promise<void> {
  try {
    await run('python3', ['-m', 'venv', dir]);
    return;
  } catch (error) {
    const message = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    if (!/ensurepip|python3-venv/.test(message)) throw error;
  }
  progress(`python3 has no ensurepip (Debian's python3-venv is not installed): making ${dir} without pip and installing pip's wheel from PyPI`);
  await createVenvWithoutEnsurepip(dir);
}

/** The path a machine without python3-venv takes (its own test runs it where python3-venv is installed). */
export async function createVenvWithoutEnsurepip(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', '--without-pip', dir]);
  const index = 'https://pypi.org/pypi/pip/json';
  const release = (await (await fetch(index)).json()) as PypiRelease;
  const wheel = release.urls.find((file) => file.packagetype === 'bdist_wheel' && file.filename.endsWith('-py3-none-any.whl'));
  if (!wheel) throw new Error('PyPI lists no pip wheel');
  // Mirrors answer file URLs relative to the JSON document.
  const bytes = Buffer.from(await (await fetch(new URL(wheel.url, index))).arrayBuffer());
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== wheel.digests.sha256) throw new Error(`${wheel.filename} from PyPI has sha256 ${actual}, PyPI says ${wheel.digests.sha256}`);
  // pip reads the version from the wheel's file name: keep the name, in a folder of its own.
  const folder = await mkdtemp(path.join(os.tmpdir(), 'modelhub-pip-'));
  const file = path.join(folder, wheel.filename);
  await writeFile(file, bytes);
  try {
    // A wheel is a zip Python can import from: pip runs from its own wheel to install itself.
    await run(path.join(dir, 'bin', 'python'), [path.join(file, 'pip'), 'install', '-q', '--no-index', file], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const WAIT_MS = 10 * 60_000;

/**
 * A virtualenv outside the clone (~/.cache/modelhub/<name>), keyed by the versions it holds, so every clone and run
 * shares one install: made once with `packages` from PyPI. A marker written last says the install finished (venv
 * scripts name their interpreter by absolute path, so it is built in place rather than renamed into place); a lock
 * folder makes a second run wait for the first instead of installing beside it.
 */
export async function ensureSharedVenv(venv: string, packages: readonly string[], purpose: string): Promise<void> {
  const complete = path.join(venv, '.modelhub-complete');
  const lock = `${venv}.lock`;
  if (existsSync(complete)) return;
  await mkdir(path.dirname(venv), { recursive: true });
  try {
    await mkdir(lock); // another run installing holds it: wait for its marker
  } catch {
    for (let waited = 0; !existsSync(complete); waited += 1000) {
      if (waited > WAIT_MS) throw new Error(`${venv} is still being created by another run (or ${lock} was left behind: remove it)`);
      await sleep(1000);
    }
    return;
  }
  console.log(`creating ${venv} with ${packages.join(' ')} from PyPI (once) for ${purpose}…`);
  try {
    await rm(venv, { recursive: true, force: true });
    await createVenv(venv);
    await run(path.join(venv, 'bin', 'pip'), ['install', '-q', ...packages], { maxBuffer: 16 * 1024 * 1024 });
    await writeFile(complete, `${new Date().toISOString()}\n`);
  } catch (error) {
    const quoted = packages.map((p) => `"${p}"`).join(' ');
    throw new Error(`Could not create ${venv} (needs python3 and PyPI: python3 -m venv <dir> && <dir>/bin/pip install ${quoted}): ${(error as Error).message}`);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
