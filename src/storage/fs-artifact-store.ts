import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { blobKey, type ArtifactStore, type StoredBlob, type UploadedFile } from './artifact-store';

/** The default store: a project-local folder (ARTIFACT_DIR). */
export class FsArtifactStore implements ArtifactStore {
  readonly kind = 'fs' as const;

  constructor(private readonly root: string) {}

  private blobPath(sha256: string): string {
    return path.join(this.root, blobKey(sha256));
  }

  private uploadRoot(prefix: string): string {
    const root = path.resolve(this.root, 'uploads', prefix);
    if (!root.startsWith(path.resolve(this.root, 'uploads') + path.sep)) throw new Error(`upload prefix escapes the store: ${prefix}`);
    return root;
  }

  async adoptStagedFile(stagingPath: string, blob: StoredBlob): Promise<void> {
    const target = this.blobPath(blob.sha256);
    if (await this.has(blob.sha256)) {
      await rm(stagingPath, { force: true }); // already stored by another version: keep one copy
      return;
    }
    await mkdir(path.dirname(target), { recursive: true });
    // Same filesystem (both under .data) makes this an atomic rename, not a second copy.
    await rename(stagingPath, target);
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.blobPath(sha256)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async read(sha256: string, start = 0, length?: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    return createReadStream(this.blobPath(sha256), { start, end: length === undefined ? undefined : start + length - 1 });
  }

  async listUploads(prefix: string): Promise<UploadedFile[]> {
    const root = this.uploadRoot(prefix);
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    const files: UploadedFile[] = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      files.push({ path: path.relative(root, full).split(path.sep).join('/'), size: (await stat(full)).size });
    }
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  async readUpload(prefix: string, file: string, start = 0): Promise<Readable> {
    return createReadStream(path.join(this.uploadRoot(prefix), file), { start });
  }
}
