import { spawn } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Bounds on one run of untrusted code. */
export interface SandboxLimits {
  wallMs: number;
  cpuSeconds: number;
  memoryBytes: number;
  processes: number;
  fileBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { wallMs: 10_000, cpuSeconds: 5, memoryBytes: 512 * 1024 * 1024, processes: 16, fileBytes: 1024 * 1024 };

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export class SandboxUnavailableError extends Error {}

const NOBODY = 65534;
const MAX_OUTPUT = 16_384;
const PYTHON = '/usr/bin/python3';

/**
 * Inside fresh mount, network and PID namespaces (as root, before dropping to nobody): the root file system and
 * every other writable mount are remounted read-only, only the run's own folder stays writable; there is no
 * network interface but loopback (down); /proc shows only the sandbox's processes. setpriv drops to nobody with
 * no capabilities and no_new_privs (so nothing can remount or setuid back), prlimit bounds CPU, address space,
 * processes (a fork bomb hits RLIMIT_NPROC; the wall-clock kill takes the whole namespace down), file size and open files.
 */
const SCRIPT = `set -e
mount --make-rprivate /
mount --bind "$WORK" "$WORK"
mount -o remount,bind,ro /
for m in /dev/shm /tmp /var/tmp /run /sys/fs/cgroup; do
  if mountpoint -q "$m"; then mount -o remount,bind,ro "$m" 2>/dev/null || true; fi
done
cd "$WORK"
# Not exec: this root shell stays the namespace's init. Its parent-death signal (--kill-child) survives, whereas
# setpriv's change of credentials clears it; when the init dies the kernel kills every process in the namespace.
setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all \\
  prlimit --cpu="$CPU" --as="$MEM" --nproc="$NPROC" --fsize="$FSIZE" --nofile=64 --core=0 -- "$PY" -I -B "$WORK/main.py"`;

/** Whether this host can sandbox: root (for namespaces) and the tools. Code tasks fail closed without it. */
export function sandboxAvailable(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

/**
 * Runs a Python program in the sandbox and never in this process. Where namespaces are unavailable (not root,
 * not Linux) it refuses instead of running the code unconfined.
 */
export async function runSandboxed(program: string, limits: SandboxLimits = DEFAULT_LIMITS): Promise<SandboxResult> {
  if (!sandboxAvailable()) throw new SandboxUnavailableError('code tasks need a Linux worker running as root (mount, network and PID namespaces)');
  const work = await mkdtemp(path.join(os.tmpdir(), 'modelhub-sandbox-'));
  try {
    await writeFile(path.join(work, 'main.py'), program);
    await chown(work, NOBODY, NOBODY);
    return await run(work, limits);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function run(work: string, limits: SandboxLimits): Promise<SandboxResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc', 'sh', '-c', SCRIPT], {
      env: {
        PATH: '/usr/bin:/bin',
        WORK: work,
        PY: PYTHON,
        CPU: String(limits.cpuSeconds),
        MEM: String(limits.memoryBytes),
        NPROC: String(limits.processes),
        FSIZE: String(limits.fileBytes),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { if (stdout.length < MAX_OUTPUT) stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { if (stderr.length < MAX_OUTPUT) stderr += c; });
    let timedOut = false;
    // SIGKILL of unshare kills the namespace's init (--kill-child), and with it every process inside.
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, limits.wallMs);
    child.on('error', (error) => { clearTimeout(timer); reject(new SandboxUnavailableError(`sandbox could not start: ${error.message}`)); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const settle = () => resolve({ exitCode: code, signal, timedOut, stdout: stdout.slice(0, MAX_OUTPUT), stderr: stderr.slice(0, MAX_OUTPUT) });
      // Output still buffered in the pipes arrives with 'close'; never wait on a pipe longer than a moment.
      const grace = setTimeout(() => { child.stdout.destroy(); child.stderr.destroy(); settle(); }, 500);
      child.once('close', () => { clearTimeout(grace); settle(); });
    });
  });
}
