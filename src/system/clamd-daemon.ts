import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { CLAMD, ensureDebianTool } from './debian-tools';
import { stopChild } from './child-stop';
import { helperEnv } from './helper-env';

/** A clamd binary and the environment it needs (one unpacked into `.tools/` finds its libraries there). */
export interface ClamdBinary {
  readonly path: string;
  readonly env: NodeJS.ProcessEnv;
  /** `clamd --version`, e.g. `ClamAV 1.4.6`. */
  readonly version: string;
}

export const CLAMD_INSTALL_HINT =
  'no clamd found (CLAMD_PATH, PATH, /usr/sbin, or .tools/debian where Debian\'s package is unpacked when apt-get can fetch it): apt-get install clamav-daemon';

function probe(candidate: string, env: NodeJS.ProcessEnv): ClamdBinary | null {
  const run = spawnSync(candidate, ['--version'], { env, encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) return null;
  return { path: candidate, env, version: run.stdout.trim().split('/')[0] ?? 'ClamAV' };
}

/**
 * The first clamd that runs: CLAMD_PATH, then PATH, /usr/sbin and /usr/bin, then `<toolsDir>/clamav` (a Debian
 * package unpacked with `dpkg -x`, whose shared libraries sit beside it and are found through LD_LIBRARY_PATH).
 */
export function findClamd(options: { explicitPath?: string | null; toolsDir?: string | null } = {}): ClamdBinary | null {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'clamd'));
  const system = [options.explicitPath, ...onPath, '/usr/sbin/clamd', '/usr/bin/clamd'].filter((c): c is string => Boolean(c));
  for (const candidate of new Set(system)) {
    if (!existsSync(candidate)) continue;
    const found = probe(candidate, process.env);
    if (found) return found;
  }
  if (!options.toolsDir) return null;
  // `.tools/debian` is where ensureClamd unpacks Debian's package; `.tools/clamav` one unpacked by hand.
  for (const root of [path.join(options.toolsDir, 'debian'), path.join(options.toolsDir, 'clamav')]) {
    const libs = ['usr/lib/x86_64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib/x86_64-linux-gnu', 'usr/lib'].map((d) => path.join(root, d));
    const env = { ...process.env, LD_LIBRARY_PATH: [...libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
    for (const candidate of [path.join(root, 'usr/sbin/clamd'), path.join(root, 'usr/bin/clamd')]) {
      if (!existsSync(candidate)) continue;
      const found = probe(candidate, env);
      if (found) return found;
    }
  }
  const built = path.join(options.toolsDir, 'bin/clamd');
  return existsSync(built) ? probe(built, process.env) : null;
}

/**
 * findClamd, else Debian's clamav-daemon fetched without root into `<toolsDir>/debian` (src/system/debian-tools.ts),
 * saying so through `progress`; null (with the reason) only where nothing can be fetched.
 */
export async function ensureClamd(
  options: { explicitPath?: string | null; toolsDir: string },
  progress: (line: string) => void,
): Promise<{ binary: ClamdBinary } | { binary: null; reason: string }> {
  const found = findClamd(options);
  if (found) return { binary: found };
  if (options.explicitPath) return { binary: null, reason: `CLAMD_PATH=${options.explicitPath} does not run. ${CLAMD_INSTALL_HINT}` };
  try {
    const fetched = await ensureDebianTool(CLAMD, options.toolsDir, progress, false);
    const binary = probe(fetched.path, { ...process.env, ...fetched.env });
    return binary ? { binary } : { binary: null, reason: `the clamd fetched into ${fetched.path} does not run. ${CLAMD_INSTALL_HINT}` };
  } catch (error) {
    return { binary: null, reason: (error as Error).message };
  }
}

export interface ClamdOptions {
  binary: ClamdBinary;
  databaseDir: string;
  /** Where clamd.conf and clamd.log go. */
  workDir: string;
  port: number;
  /** StreamMaxLength and MaxFileSize; MaxScanSize is twice it. */
  streamMaxBytes: number;
  startTimeoutMs?: number;
}

export interface RunningClamd {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function clamdConf(options: ClamdOptions): string {
  const mib = (bytes: number) => `${Math.max(1, Math.floor(bytes / (1024 * 1024)))}M`;
  return (
    [
      `TCPSocket ${options.port}`,
      'TCPAddr 127.0.0.1',
      `DatabaseDirectory ${options.databaseDir}`,
      'Foreground yes',
      `StreamMaxLength ${mib(options.streamMaxBytes)}`,
      `MaxFileSize ${mib(options.streamMaxBytes)}`,
      `MaxScanSize ${mib(options.streamMaxBytes * 2)}`,
      // Without it clamd answers OK for a stream over MaxFileSize, whatever it holds.
      'AlertExceedsMax yes',
      'SelfCheck 0',
      'MaxThreads 4',
      'ReadTimeout 300',
      `LogFile ${path.join(options.workDir, 'clamd.log')}`,
    ].join('\n') + '\n'
  );
}

/**
 * A real clamd on loopback with the given signature database; as root it keeps running as root (no `User`).
 * Its own process group, like the Temporal dev server: a Ctrl-C reaches this process, which stops clamd last.
 */
export async function startClamd(options: ClamdOptions): Promise<RunningClamd> {
  await mkdir(options.workDir, { recursive: true });
  const conf = path.join(options.workDir, 'clamd.conf');
  await writeFile(conf, clamdConf(options));
  const child: ChildProcess = spawn(options.binary.path, ['-c', conf], { env: helperEnv({}, options.binary.env), detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const onExit = () => child.kill('SIGTERM');
  process.on('exit', onExit);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  // A large official database takes clamd tens of seconds to load before it listens.
  while (!(await listening(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      process.off('exit', onExit);
      throw new Error(`clamd did not start listening on 127.0.0.1:${options.port}: ${stderr.trim().slice(-2000) || `exit code ${child.exitCode}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host: '127.0.0.1',
    port: options.port,
    stop: () => stopChild(child, onExit),
  };
}
