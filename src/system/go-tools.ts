import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureGo } from './go-toolchain';

/** A command-line tool we build from its Go module when a machine lacks it (the Temporal CLI, Helm). */
export interface GoTool {
  /** The executable's name. */
  readonly name: string;
  /** `module/path/cmd/name@version`, as `go install` takes it. */
  readonly module: string;
  /** How long the first build takes here, said before it starts. */
  readonly buildTime: string;
  /** What to do when it cannot be built; ends every error. */
  readonly hint: string;
  /** The setting that names the executable explicitly. */
  readonly pathVar: string;
}

/** The executable: `explicit`, then PATH, then Go's default bin folder, then `<toolsDir>/bin`. */
export function findGoTool(tool: GoTool, explicit: string | null, toolsDir?: string): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, tool.name)),
    path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin', tool.name),
    ...(toolsDir ? [path.join(toolsDir, 'bin', tool.name)] : []),
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * Finds the tool or, when there is none and Go is installed, builds it once into `<toolsDir>/bin` (git-ignored).
 * A first build compiles hundreds of packages; `progress` gets every 25th as it is compiled, so a person watching
 * sees it move.
 */
export async function ensureGoTool(tool: GoTool, explicit: string | null, toolsDir: string, progress: (line: string) => void): Promise<string> {
  const found = findGoTool(tool, explicit, toolsDir);
  if (found) return found;
  if (explicit) throw new Error(`${tool.pathVar}=${explicit} does not exist. ${tool.hint}`);
  // A machine without Go (or with one too old) gets the toolchain from the Go module proxy first.
  const go = await ensureGo(toolsDir, progress).catch((error: unknown) => {
    throw new Error(`No ${tool.name} found, and no Go to build it: ${(error as Error).message}. ${tool.hint}`);
  });
  const bin = path.join(toolsDir, 'bin');
  await mkdir(bin, { recursive: true });
  progress(`No ${tool.name} found: building ${tool.module} into ${bin} (once; ${tool.buildTime})`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    // -v names each package as it is compiled: the progress.
    const child = spawn(go, ['install', '-v', tool.module], {
      env: { ...process.env, GOBIN: bin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let built = 0;
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n').filter(Boolean)) {
        built += 1;
        if (built % 25 === 0 || /^go: (downloading|finding)/.test(line)) progress(`  [${Math.round((Date.now() - started) / 1000)} s, ${built} packages] ${line}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${tool.module} failed with code ${code}: ${tail.slice(-1500)}`))));
  });
  const built = path.join(bin, tool.name);
  if (!existsSync(built)) throw new Error(`go install finished but ${built} is missing. ${tool.hint}`);
  progress(`${tool.name} built in ${Math.round((Date.now() - started) / 1000)} s: ${built}`);
  return built;
}
