import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../domain/common/domain-error';
import type { OpenedSource } from '../staged-file';
import type { ModelSource, SourceFile, SourceListing } from './model-source';

function within(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * Resolves a DISK import path and proves it stays inside an allowed root after following symlinks;
 * refuses devices, sockets and FIFOs. Throws BAD_USER_INPUT on `path` for anything else.
 */
export async function resolveDiskPath(requested: string, roots: readonly string[]): Promise<string> {
  if (roots.length === 0) throw new ValidationError('path', 'DISK imports are disabled: set DISK_IMPORT_ROOTS');
  // One answer for "missing" and "outside the roots": different ones would let a caller probe which paths
  // exist anywhere on the server.
  const unavailable = () => new ValidationError('path', `${requested} does not exist under the allowed import roots`);
  let real: string;
  try {
    real = await realpath(requested);
  } catch {
    throw unavailable();
  }
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => path.resolve(root))));
  if (!realRoots.some((root) => within(root, real))) throw unavailable();
  const info = await stat(real);
  if (!info.isFile() && !info.isDirectory()) throw new ValidationError('path', `${requested} is not a regular file or directory`);
  return real;
}

export class DiskSource implements ModelSource {
  constructor(
    private readonly requested: string,
    private readonly roots: readonly string[],
  ) {}

  async list(): Promise<SourceListing> {
    return { revision: null, files: await this.listFiles() };
  }

  private async listFiles(): Promise<SourceFile[]> {
    const real = await resolveDiskPath(this.requested, this.roots);
    if ((await stat(real)).isFile()) return [{ path: path.basename(real), size: (await stat(real)).size, sha256: null, gitBlobId: null }];
    const files: SourceFile[] = [];
    for (const entry of await readdir(real, { recursive: true, withFileTypes: true })) {
      const full = path.join(entry.parentPath, entry.name);
      const relative = path.relative(real, full).split(path.sep).join('/');
      if (relative.split('/').some((part) => part.startsWith('.'))) continue; // .git, .cache and friends
      if (entry.isSymbolicLink()) {
        // A link is followed only when its target stays inside the roots.
        const target = await resolveDiskPath(full, this.roots);
        if ((await stat(target)).isFile()) files.push({ path: relative, size: (await stat(target)).size, sha256: null, gitBlobId: null });
        continue;
      }
      if (!entry.isFile()) continue;
      files.push({ path: relative, size: (await lstat(full)).size, sha256: null, gitBlobId: null });
    }
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  async open(file: SourceFile, offset: number): Promise<OpenedSource> {
    const real = await resolveDiskPath(this.requested, this.roots);
    const full = (await stat(real)).isFile() ? real : await resolveDiskPath(path.join(real, file.path), this.roots);
    return { stream: createReadStream(full, { start: offset, highWaterMark: 1024 * 1024 }), offset };
  }
}
