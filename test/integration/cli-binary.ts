import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/**
 * The CLI as users get it: compiled by tsc with the build's settings (only cli/ and what it imports, into a
 * git-ignored folder so a concurrent `npm run build` is not disturbed), run by node as a subprocess.
 */
export async function buildCli(): Promise<{ bin: string; remove: () => Promise<void> }> {
  const dir = path.join(ROOT, '.data', `cli-build-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.build.json', compilerOptions: { outDir: '.', rootDir: '../..', incremental: false, sourceMap: false }, files: ['../../cli/modelhub.ts'], include: [] }),
  );
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { cwd: ROOT });
  return { bin: path.join(dir, 'cli/modelhub.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliRun>;
}

/** Starts `modelhub <args>` with its own environment (no terminal: no bars), collecting its output. */
export function startCli(bin: string, args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs `modelhub <args>` to its end; one that hangs is killed after `timeoutMs` and fails with what it printed. */
export async function runCli(bin: string, args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliRun> {
  const { child, done } = startCli(bin, args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const run = await done.finally(() => clearTimeout(timer));
  if (run.signal === 'SIGKILL') throw new Error(`modelhub ${args.join(' ')} did not end in ${timeoutMs} ms: ${run.stderr}${run.stdout}`);
  return run;
}
