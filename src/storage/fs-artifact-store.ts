import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, open, opendir, readdir, rename, rm, stat, statfs, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { blobKey, SHA256, type ArtifactStore, type BlobInfo, type StoredBlob, type StoreProbe, type UploadedFile } from './artifact-store';
import { type CorruptionReporter, verifyingStream } from './blob-integrity';
import { durableMove, fsyncDir } from './durable-file';
import { realUploadPath } from './upload-path';

const errorCode = (error: unknown): unknown => (error as NodeJS.ErrnoException | null)?.code;

/** The default store: a project-local folder (ARTIFACT_DIR). Corrupt blobs are moved to `quarantine/`. */
export class FsArtifactStore implements ArtifactStore {
  readonly kind = 'fs' as const;

  constructor(
    private readonly root: string,
    private readonly onCorrupt: CorruptionReporter = () => undefined,
    /** The environment's store makes its folder on first use; a registered store's folder missing means a lost volume. */
    private readonly createRoot = true,
  ) {}

  private blobPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256 digest: ${sha256.slice(0, 80)}`);
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
      const now = new Date();
      await utimes(target, now, now); // reused: restart the collector's grace period before anyone references it
      await rm(stagingPath, { force: true }); // already stored by another version: keep one copy
      return;
    }
    const dir = path.dirname(target);
    const created = await mkdir(dir, { recursive: true });
    if (created) await fsyncDir(path.dirname(dir)); // a new fan-out folder is an entry of its parent
    await durableMove(stagingPath, target, blob.sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.blobPath(sha256)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async read(sha256: string, start = 0, length?: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    // Opened here, so a missing blob rejects this call: a stream's later ENOENT could reach no listener (the
    // caller attaches one after its next await) and end the process as an uncaught error.
    const handle = await open(this.blobPath(sha256), 'r');
    if (start === 0 && length === undefined) {
      return verifyingStream(handle.createReadStream(), sha256, (actual) => this.quarantine(sha256, actual));
    }
    return handle.createReadStream({ start, end: length === undefined ? undefined : start + length - 1 });
  }

  async *listBlobs(): AsyncIterable<BlobInfo> {
    const base = path.join(this.root, 'blobs', 'sha256');
    const fans = await readdir(base).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const fan of fans.sort()) {
      // opendir streams the entries: a fan-out folder may hold many thousands of blobs.
      const dir = await opendir(path.join(base, fan)).catch(() => null);
      if (!dir) continue;
      for await (const entry of dir) {
        if (!entry.isFile() || !SHA256.test(entry.name)) continue;
        const info = await this.statBlob(entry.name);
        if (info) yield info;
      }
    }
  }

  async statBlob(sha256: string): Promise<BlobInfo | null> {
    try {
      const info = await stat(this.blobPath(sha256));
      return info.isFile() ? { sha256, size: info.size, modifiedAt: info.mtime } : null;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  async deleteBlob(sha256: string): Promise<void> {
    const file = this.blobPath(sha256);
    await rm(file, { force: true });
    await fsyncDir(path.dirname(file)).catch(() => undefined);
  }

  /** Moves a corrupt blob out of the addressable store, with a note saying why; `has` is false afterwards. */
  private async quarantine(sha256: string, actual: string): Promise<string | null> {
    const dir = path.join(this.root, 'quarantine', 'sha256');
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const target = path.join(dir, `${sha256}.${stamp}`);
    try {
      await rename(this.blobPath(sha256), target);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      return null; // a concurrent reader quarantined it first
    }
    await writeFile(`${target}.json`, JSON.stringify({ sha256, actual, quarantinedAt: new Date().toISOString() }, null, 2));
    this.onCorrupt({ sha256, actual, quarantinedAt: target });
    return target;
  }

  async listUploads(prefix: string): Promise<UploadedFile[]> {
    const root = await realUploadPath(this.root, this.uploadRoot(prefix));
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
    return createReadStream(await realUploadPath(this.root, path.join(this.uploadRoot(prefix), file)), { start });
  }

  async probe(): Promise<StoreProbe> {
    // A registered store's folder must exist already: creating it would make an unmounted volume look healthy.
    if (this.createRoot) await mkdir(this.root, { recursive: true });
    const root = await stat(this.root);
    if (!root.isDirectory()) throw new Error('the store folder is not a folder');
    const probe = path.join(this.root, `.probe-${randomUUID()}`);
    const writable = await writeFile(probe, 'probe').then(
      () => rm(probe, { force: true }).then(() => true),
      () => false,
    );
    const fs = await statfs(this.root);
    return { writable, freeBytes: BigInt(fs.bavail) * BigInt(fs.bsize) };
  }

  localPath(sha256: string): string {
    return this.blobPath(sha256);
  }

  presignGet(): Promise<string | null> {
    return Promise.resolve(null);
  }
}
