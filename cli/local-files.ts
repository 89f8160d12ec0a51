import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { usageError } from './cli-errors';

export interface LocalFile {
  /** On this disk. */
  local: string;
  /** In the version (forward slashes). */
  remote: string;
  size: number;
  mtimeMs: number;
}

/** Folders no model contains: version-control metadata is never uploaded (as the hub's own clients do). */
const SKIPPED_FOLDERS = new Set(['.git', '.hg', '.svn']);

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) yield* walk(full);
    } else if (entry.isFile()) yield full;
  }
}

/**
 * The files an upload sends: a folder's files under their path inside it, a file under its name, both under
 * `prefix`. Symbolic links are not followed (a link can point anywhere, a loop would never end).
 */
export async function filesToUpload(args: string[], prefix = ''): Promise<LocalFile[]> {
  const base = prefix.replace(/^\/+|\/+$/g, '');
  const files: LocalFile[] = [];
  const add = async (local: string, relative: string) => {
    const stat = await lstat(local);
    const remote = [base, relative.split(path.sep).join('/')].filter(Boolean).join('/');
    files.push({ local, remote, size: stat.size, mtimeMs: stat.mtimeMs });
  };
  for (const arg of args) {
    const stat = await lstat(arg).catch(() => null);
    if (!stat) throw usageError(`${arg}: no such file or folder`);
    if (stat.isDirectory()) for await (const file of walk(arg)) await add(file, path.relative(arg, file));
    else if (stat.isFile()) await add(arg, path.basename(arg));
    else throw usageError(`${arg}: not a regular file or folder`);
  }
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.remote)) throw usageError(`two files would be uploaded as ${f.remote}`);
    seen.add(f.remote);
  }
  return files;
}

/** Feeds a file's bytes [0, end) into a hash (end omitted: all of it). */
export async function hashInto(hash: Hash, file: string, end?: number): Promise<void> {
  if (end === 0) return;
  await pipeline(createReadStream(file, end === undefined ? {} : { end: end - 1 }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await hashInto(hash, file);
  return hash.digest('hex');
}

/** `root/remote` for a path the registry lists, refusing any that would land outside `root`. */
export function insideRoot(root: string, remote: string): string {
  const target = path.resolve(root, ...remote.split('/'));
  if (target !== path.resolve(root) && target.startsWith(path.resolve(root) + path.sep)) return target;
  throw usageError(`refusing to write ${JSON.stringify(remote)} outside ${root}`);
}

/** Runs `work` over items, at most `limit` at once, in order of start; the first failure stops new starts. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const lane = async () => {
    while (failed === null && next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failed !== null) throw failed;
}
