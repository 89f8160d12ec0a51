import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { extractZip } from './zip-extract';

/**
 * A Go toolchain able to build our Go tools (the Temporal CLI, Helm): the machine's own `go` when it is recent
 * enough, else the toolchain the go command itself would take with GOTOOLCHAIN — the module
 * golang.org/toolchain from the Go module proxy, checked against the Go checksum database — unpacked once into
 * `<toolsDir>/go` with no root and no unzip. Debian 12's packaged Go (1.19) is too old for either tool.
 */

const run = promisify(execFile);
export const GO_VERSION = 'go1.26.8';
const MIN_MINOR = 23;

function proxy(): string {
  const first = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(/[,|]/)[0];
  return (first === 'direct' || first === 'off' ? 'https://proxy.golang.org' : first).replace(/\/+$/, '');
}

/** The checksum database, reached through the proxy as the go command does (`<proxy>/sumdb/<name>/…`). */
function sumdb(): string {
  const name = (process.env.GOSUMDB ?? 'sum.golang.org').split(/\s+/)[0];
  return `${proxy()}/sumdb/${name === 'off' ? 'sum.golang.org' : name}`;
}

async function goMinor(go: string): Promise<number | null> {
  try {
    const { stdout } = await run(go, ['version'], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
    const match = /go1\.(\d+)/.exec(stdout);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** A `go` on this machine recent enough to build our tools, or null. */
export async function findRecentGo(toolsDir?: string, searchMachine = true): Promise<string | null> {
  const machine = searchMachine
    ? [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'go')), '/usr/local/go/bin/go', '/usr/lib/go/bin/go']
    : [];
  const candidates = [...machine, ...(toolsDir ? [path.join(toolsDir, 'go', 'bin', 'go')] : [])].filter((candidate) => existsSync(candidate));
  for (const candidate of candidates) {
    if (((await goMinor(candidate)) ?? 0) >= MIN_MINOR) return candidate;
  }
  return null;
}

/** The module's h1: hash (golang.org/x/mod's dirhash.Hash1) over the files of its zip. */
export function dirHash1(files: Map<string, string>): string {
  const summary = createHash('sha256');
  for (const name of [...files.keys()].sort()) summary.update(`${files.get(name)}  ${name}\n`);
  return `h1:${summary.digest('base64')}`;
}

/**
 * Finds a recent enough `go`, or fetches GO_VERSION into `<toolsDir>/go` once. `searchMachine: false` looks in
 * `toolsDir` only (what a machine without Go sees; its test).
 */
export async function ensureGo(toolsDir: string, progress: (line: string) => void, searchMachine = true): Promise<string> {
  const found = await findRecentGo(toolsDir, searchMachine);
  if (found) return found;
  const arch = { x64: 'amd64', arm64: 'arm64' }[os.arch() as string];
  if (!arch || os.platform() !== 'linux') throw new Error(`no Go >= 1.${MIN_MINOR} found and no toolchain to fetch for ${os.platform()}/${os.arch()}: install Go from https://go.dev/dl`);
  const version = `v0.0.1-${GO_VERSION}.linux-${arch}`;
  const url = `${proxy()}/golang.org/toolchain/@v/${version}.zip`;
  progress(`No Go >= 1.${MIN_MINOR} found: fetching ${GO_VERSION} from the Go module proxy (${url}, about 80 MB) into ${path.join(toolsDir, 'go')}`);
  const started = Date.now();
  const work = path.join(toolsDir, `go-fetch-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}`);
    const archive = path.join(work, 'toolchain.zip');
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(archive));
    const files = await extractZip(archive, path.join(work, 'x'));
    const lookup = await fetch(`${sumdb()}/lookup/golang.org/toolchain@${version}`);
    if (!lookup.ok) throw new Error(`the Go checksum database answered ${lookup.status} for golang.org/toolchain@${version}`);
    const expected = new RegExp(`^golang\\.org/toolchain ${version.replace(/\./g, '\\.')} (h1:\\S+)$`, 'm').exec(await lookup.text())?.[1];
    const actual = dirHash1(files);
    if (!expected || expected !== actual) throw new Error(`golang.org/toolchain@${version}: checksum database says ${expected ?? 'nothing'}, the download is ${actual}`);
    await rm(path.join(toolsDir, 'go'), { recursive: true, force: true });
    await rename(path.join(work, 'x', `golang.org/toolchain@${version}`), path.join(toolsDir, 'go'));
    await writeFile(path.join(toolsDir, 'go', '.modelhub-complete'), `${GO_VERSION} ${actual}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const go = path.join(toolsDir, 'go', 'bin', 'go');
  progress(`Go ${GO_VERSION} ready in ${Math.round((Date.now() - started) / 1000)} s: ${go}`);
  return go;
}
