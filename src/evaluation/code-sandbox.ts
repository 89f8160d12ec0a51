import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Bounds on one run of untrusted code. */
export interface SandboxLimits {
  wallMs: number;
  cpuSeconds: number;
  memoryBytes: number;
  processes: number;
  fileBytes: number;
  /** Size of the writable work dir (a tmpfs: its pages are memory that RLIMIT_AS does not count). */
  workBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  wallMs: 10_000, cpuSeconds: 5, memoryBytes: 512 * 1024 * 1024, processes: 16, fileBytes: 1024 * 1024, workBytes: 16 * 1024 * 1024,
};

/** Where this worker's sandbox comes from. */
export interface SandboxSettings {
  /** bubblewrap (Debian package `bubblewrap`); a bare name is looked up on PATH. */
  readonly bwrap: string;
  /** The interpreter; /usr is bound read-only, and so is the interpreter's own prefix when it lives elsewhere. */
  readonly python: string;
}

export const DEFAULT_SETTINGS: SandboxSettings = { bwrap: 'bwrap', python: '/usr/bin/python3' };

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** A run: files placed read-only under /sandbox, the interpreter's arguments, and a secret the program reads on fd 3. */
export interface SandboxRun {
  files: ReadonlyMap<string, string>;
  args: readonly string[];
  secret: string;
}

/** `status`: what the program wrote on fd 4, a pipe only the program's first process holds. */
export interface SandboxOutcome extends SandboxResult {
  status: string;
}

/** The sandbox did not start (no bwrap, namespaces refused, no interpreter): never a verdict on the code. */
export class SandboxUnavailableError extends Error {}

const NOBODY = 65534;
const MAX_OUTPUT = 16_384;
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
// The run's first process writes this on fd 4 before anything else: without it the sandbox never ran the program.
export const STARTED = 'started\n';
const LAUNCH = `import os\nos.write(4, b${JSON.stringify(STARTED)})\nos.close(4)\nos.close(3)\n__file__ = "/sandbox/main.py"\nexec(compile(open(__file__).read(), __file__, "exec"))\n`;

/**
 * bwrap builds a fresh root on a tmpfs in new user, mount, network, PID, IPC, UTS and cgroup namespaces: /usr (and the
 * merged-/usr links) read-only, a private /proc and a read-only /dev, a size-capped tmpfs as the only writable place, no host
 * configuration (/etc), no network but a loopback that is down, no capabilities, no further user namespaces, and a new
 * session (no terminal to inject into). prlimit then bounds CPU, address space, processes, file size and open files;
 * RLIMIT_NPROC counts per user namespace, so the worker's own processes do not use up the sandbox's allowance.
 */
function sandboxArgs(settings: SandboxSettings, limits: SandboxLimits, files: readonly string[], command: readonly string[]): string[] {
  return [
    '--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/work', '--setenv', 'TMPDIR', '/work', '--setenv', 'LANG', 'C.UTF-8',
    ...systemMounts(settings.python),
    '--proc', '/proc', '--dev', '/dev', '--size', String(limits.workBytes), '--tmpfs', '/work', '--chdir', '/work',
    // --ro-bind-data copies each file from its pipe (fd 5 on) while setting up, then closes it: no host temp files.
    ...files.flatMap((name, i) => ['--ro-bind-data', String(5 + i), `/sandbox/${name}`]),
    // The new root and /dev are tmpfs mounts without a size: read-only, so /work is the one place to write.
    '--remount-ro', '/dev', '--remount-ro', '/',
    '--', 'prlimit', `--cpu=${limits.cpuSeconds}`, `--as=${limits.memoryBytes}`, `--nproc=${limits.processes}`,
    `--fsize=${limits.fileBytes}`, '--nofile=64', '--core=0', '--', ...command,
  ];
}

function systemMounts(python: string): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ROOT_LINKS) {
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat?.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  let prefix: string;
  try {
    prefix = path.dirname(path.dirname(realpathSync(python)));
  } catch {
    throw new SandboxUnavailableError(`the sandbox's interpreter ${python} does not exist on this worker (install python3)`);
  }
  if (prefix !== '/' && prefix !== '/usr' && !prefix.startsWith('/usr/')) args.push('--ro-bind', prefix, prefix);
  return args;
}

/** A root worker would own the sandbox's user namespace as root; it starts bwrap as nobody, as an unprivileged worker would. */
function launcher(settings: SandboxSettings, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [settings.bwrap, args];
  return ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--no-new-privs', '--', settings.bwrap, ...args]];
}

/** Quick synchronous check that bwrap can build the sandbox here (tests' preconditions); probeCodeSandbox runs the whole harness. */
export function sandboxAvailable(settings: SandboxSettings = DEFAULT_SETTINGS): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const [file, args] = launcher(settings, sandboxArgs(settings, DEFAULT_LIMITS, [], [settings.python, '-I', '-c', 'pass']));
    return spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

/** Runs a Python program (as /sandbox/main.py) in the sandbox, never in this process. */
export async function runSandboxed(program: string, limits: SandboxLimits = DEFAULT_LIMITS, settings: SandboxSettings = DEFAULT_SETTINGS): Promise<SandboxResult> {
  const run = { files: new Map([['main.py', program]]), args: ['-c', LAUNCH], secret: '' };
  const { status: _status, ...result } = await runInSandbox(run, limits, settings);
  return result;
}

/** Runs the interpreter with run.args in the sandbox. Throws SandboxUnavailableError when the program never started. */
export async function runInSandbox(run: SandboxRun, limits: SandboxLimits, settings: SandboxSettings = DEFAULT_SETTINGS): Promise<SandboxOutcome> {
  if (process.platform !== 'linux') throw new SandboxUnavailableError('code tasks need a Linux worker (bubblewrap and user namespaces)');
  const names = [...run.files.keys()];
  const [file, args] = launcher(settings, sandboxArgs(settings, limits, names, [settings.python, '-I', '-B', ...run.args]));
  const outcome = await supervise(file, args, [run.secret, ...names.map((n) => run.files.get(n) ?? '')], limits.wallMs);
  if (!outcome.status.startsWith(STARTED) && !outcome.timedOut) {
    const said = outcome.stderr.split('\n').find((line) => /^(bwrap|setpriv|prlimit):/.test(line));
    throw new SandboxUnavailableError(said ? said.slice(0, 400) : `the sandbox exited with ${outcome.exitCode ?? outcome.signal} before its program started`);
  }
  return outcome;
}

/** inputs[0] goes to fd 3, inputs[i] to fd 4 + i; fd 4 is read back as the status. */
function supervise(file: string, args: string[], inputs: string[], wallMs: number): Promise<SandboxOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', ...inputs.map(() => 'pipe' as const), 'pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, killed whole on timeout
    });
    feed(child, inputs);
    const out = { stdout: collect(child.stdout as Readable), stderr: collect(child.stderr as Readable), status: collect(child.stdio[4] as Readable) };
    let timedOut = false;
    // Killing bwrap kills the sandbox's PID 1 (--die-with-parent), and with it every process of the namespace.
    const timer = setTimeout(() => { timedOut = true; killGroup(child); }, wallMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SandboxUnavailableError(`${path.basename(file)} could not be started (${(error as NodeJS.ErrnoException).code ?? error.message})`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const settle = () => resolve({ exitCode: code, signal, timedOut, stdout: out.stdout(), stderr: out.stderr(), status: out.status() });
      // Output still buffered in the pipes arrives with 'close'; never wait on a pipe longer than a moment.
      const grace = setTimeout(() => { for (const s of child.stdio) s?.destroy(); settle(); }, 500);
      child.once('close', () => { clearTimeout(grace); settle(); });
    });
  });
}

function feed(child: ChildProcess, inputs: string[]): void {
  inputs.forEach((text, i) => {
    const pipe = child.stdio[i === 0 ? 3 : 4 + i] as Writable;
    pipe.on('error', () => undefined); // EPIPE when the sandbox failed before reading: reported by its exit
    pipe.end(text);
  });
}

function collect(stream: Readable): () => string {
  let text = '';
  stream.setEncoding('utf8').on('data', (c: string) => { if (text.length < MAX_OUTPUT) text += c; });
  return () => text.slice(0, MAX_OUTPUT);
}

function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
}
