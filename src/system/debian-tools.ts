import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A program from Debian's packages for a machine that lacks it, without root: `apt-get download` of the package
 * and of the libraries it needs that the machine has not got, unpacked with `dpkg -x` into `<toolsDir>/debian`,
 * with apt's lists and cache in a folder of ours (`-o Dir::State::Lists=…`), never the system's. The program then
 * runs with LD_LIBRARY_PATH naming the unpacked library folders. Debian and Ubuntu only (apt and dpkg exist there
 * for every user); elsewhere the error names the package to install.
 */

const run = promisify(execFile);

export interface DebianTool {
  /** The executable's name on PATH when installed the usual way. */
  readonly name: string;
  /** Where the package installs it, without the leading slash (e.g. usr/sbin/clamd). */
  readonly installedAt: string;
  /** Packages to fetch whatever the machine has (the program's own and its private libraries). */
  readonly packages: readonly string[];
  /** The usual install command, for the error when nothing can be fetched. */
  readonly installHint: string;
}

export interface FoundTool {
  readonly path: string;
  /** Environment the program needs (LD_LIBRARY_PATH for an unpacked one; empty for the machine's own). */
  readonly env: Record<string, string>;
  /** 'machine' or 'fetched', for banners and logs. */
  readonly origin: 'machine' | 'fetched';
}

const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';

function rootOf(toolsDir: string): string {
  return path.join(toolsDir, 'debian');
}

function unpackedEnv(root: string): Record<string, string> {
  const dirs = [`usr/lib/${MULTIARCH}`, `lib/${MULTIARCH}`, 'usr/lib', 'lib'].map((dir) => path.join(root, dir)).filter((dir) => existsSync(dir));
  const inherited = process.env.LD_LIBRARY_PATH ? [process.env.LD_LIBRARY_PATH] : [];
  return { LD_LIBRARY_PATH: [...dirs, ...inherited].join(path.delimiter) };
}

/** The machine's own program (PATH, then where the package puts it), or one unpacked earlier under `toolsDir`. */
export function findDebianTool(tool: DebianTool, toolsDir: string, searchMachine = true): FoundTool | null {
  if (searchMachine) {
    const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, tool.name));
    const machine = [...onPath, `/${tool.installedAt}`].find((candidate) => existsSync(candidate));
    if (machine) return { path: machine, env: {}, origin: 'machine' };
  }
  const root = rootOf(toolsDir);
  const unpacked = path.join(root, tool.installedAt);
  if (existsSync(unpacked) && existsSync(path.join(root, `.${tool.name}-complete`))) return { path: unpacked, env: unpackedEnv(root), origin: 'fetched' };
  return null;
}

async function installed(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

/** Finds the program or fetches it (once) from Debian's packages into `<toolsDir>/debian`. */
export async function ensureDebianTool(tool: DebianTool, toolsDir: string, progress: (line: string) => void, searchMachine = true): Promise<FoundTool> {
  const found = findDebianTool(tool, toolsDir, searchMachine);
  if (found) return found;
  if (!existsSync('/usr/bin/apt-get') || !existsSync('/usr/bin/dpkg')) {
    throw new Error(`${tool.name} is not installed and this machine has no apt-get/dpkg to fetch it: ${tool.installHint}`);
  }
  const apt = path.join(toolsDir, 'apt');
  const root = rootOf(toolsDir);
  const debs = path.join(apt, 'debs');
  for (const dir of [path.join(apt, 'lists', 'partial'), path.join(apt, 'cache', 'archives', 'partial'), debs, root]) await mkdir(dir, { recursive: true });
  const user = (await run('id', ['-un'])).stdout.trim();
  const options = ['-o', `Dir::State::Lists=${path.join(apt, 'lists')}`, '-o', `Dir::Cache=${path.join(apt, 'cache')}`, '-o', 'Debug::NoLocking=1', '-o', `APT::Sandbox::User=${user}`];
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  try {
    progress(`${tool.name} is not installed: fetching Debian's ${tool.packages.join(', ')} into ${root} (no root needed; once, about a minute)`);
    const lists = await readdir(path.join(apt, 'lists')).then((files) => files.filter((file) => file.endsWith('InRelease')), () => []);
    const fresh = lists.length > 0 && Date.now() - (await stat(path.join(apt, 'lists', lists[0]))).mtimeMs < 86_400_000;
    if (!fresh) await run('apt-get', [...options, '-qq', 'update'], { maxBuffer: 16 * 1024 * 1024 });
    // Depends (not Recommends) of the packages, recursively; fetched are the libraries the machine has not got.
    const { stdout } = await run('apt-cache', [...options, 'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...tool.packages], { maxBuffer: 64 * 1024 * 1024 });
    const closure = [...new Set(stdout.split('\n').filter((line) => line && !line.startsWith(' ') && !line.startsWith('<')))];
    const missingLibraries: string[] = [];
    for (const pkg of closure) {
      if (pkg.startsWith('lib') && !tool.packages.includes(pkg) && !(await installed(pkg))) missingLibraries.push(pkg);
    }
    const wanted = [...tool.packages, ...missingLibraries];
    progress(`  [${seconds()} s] downloading ${wanted.length} package(s): ${wanted.join(' ')}`);
    await run('apt-get', [...options, '-qq', 'download', ...wanted], { cwd: debs, maxBuffer: 16 * 1024 * 1024 });
    for (const deb of (await readdir(debs)).filter((file) => file.endsWith('.deb'))) await run('dpkg', ['-x', path.join(debs, deb), root]);
    if (!existsSync(path.join(root, tool.installedAt))) throw new Error(`the packages held no ${tool.installedAt}`);
    await writeFile(path.join(root, `.${tool.name}-complete`), `${wanted.join(' ')}\n`);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(`could not fetch ${tool.name} from Debian's packages (${detail.slice(-600)}): ${tool.installHint}`);
  } finally {
    await rm(debs, { recursive: true, force: true });
  }
  progress(`${tool.name} ready in ${seconds()} s: ${path.join(root, tool.installedAt)}`);
  return { path: path.join(root, tool.installedAt), env: unpackedEnv(root), origin: 'fetched' };
}

export const CLAMD: DebianTool = {
  name: 'clamd',
  installedAt: 'usr/sbin/clamd',
  packages: ['clamav-daemon', 'libclamav12'],
  installHint: 'install it with `sudo apt-get install clamav-daemon` (the daemon need not run: ModelHub starts its own)',
};

export const BWRAP: DebianTool = {
  name: 'bwrap',
  installedAt: 'usr/bin/bwrap',
  packages: ['bubblewrap'],
  installHint: 'install it with `sudo apt-get install bubblewrap`',
};
