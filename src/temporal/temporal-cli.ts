import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** v1.6+ carry `replace` directives in go.mod, which `go install` refuses; v1.5.1 builds. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export const INSTALL_HINT =
  `Install Go (https://go.dev/dl, or apt-get install golang-go) so the Temporal CLI can be built once into the ` +
  `project's .tools/bin, or build it yourself: \`go install ${TEMPORAL_CLI_MODULE}\` (puts it in ~/go/bin), ` +
  'or set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running server.';

/** The `temporal` executable: TEMPORAL_CLI_PATH, then PATH, then Go's default bin folder, then the project's tools folder. */
export function findTemporalCli(explicit: string | null, toolsDir?: string): string | null {
  if (explicit) return existsSync(explicit) ? explicit : null;
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'temporal')),
    path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin', 'temporal'),
    ...(toolsDir ? [path.join(toolsDir, 'bin', 'temporal')] : []),
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

function findGo(): string | null {
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'go')),
    '/usr/local/go/bin/go',
    '/usr/lib/go/bin/go',
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

/**
 * Finds the CLI or, when there is none and Go is installed, builds it once into `<toolsDir>/bin` (git-ignored).
 * The first build compiles a few hundred packages (about 8 minutes on 2 cores); `progress` gets each package as
 * it is compiled, so a person watching sees it move.
 */
export async function ensureTemporalCli(explicit: string | null, toolsDir: string, progress: (line: string) => void): Promise<string> {
  const found = findTemporalCli(explicit, toolsDir);
  if (found) return found;
  if (explicit) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not exist. ${INSTALL_HINT}`);
  const go = findGo();
  if (!go) throw new Error(`No Temporal CLI found. ${INSTALL_HINT}`);
  const bin = path.join(toolsDir, 'bin');
  await mkdir(bin, { recursive: true });
  progress(`No Temporal CLI found: building ${TEMPORAL_CLI_MODULE} into ${bin} (once; about 8 minutes on 2 cores)`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    // -v names each package as it is compiled: the progress.
    const child = spawn(go, ['install', '-v', TEMPORAL_CLI_MODULE], {
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
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`go install ${TEMPORAL_CLI_MODULE} failed with code ${code}: ${tail.slice(-1500)}`)),
    );
  });
  const cli = path.join(bin, 'temporal');
  if (!existsSync(cli)) throw new Error(`go install finished but ${cli} is missing. ${INSTALL_HINT}`);
  progress(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${cli}`);
  return cli;
}
