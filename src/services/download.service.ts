import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import { hasRoleIn, type Principal, Role } from '../domain/auth/roles';
import type { VersionRecord } from '../domain/catalog/catalog-records';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain/common/domain-error';
import { filePath, folderPath, isUnder } from '../domain/files/file-path';
import { folderExists } from '../domain/files/file-tree';
import { padding, TAR_END, tarEntryHeader, tarSize } from '../domain/files/tar-format';
import { isUsable } from '../domain/lifecycle/lifecycle';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { ModelEntity } from '../persistence/entities/model.entity';
import type { ArtifactStore } from '../storage/artifact-store';
import type { BlobPresigner } from '../storage/s3-presign';
import type { VersionFilesService } from './version-files.service';
import type { VersionService } from './version.service';

export interface TarDownload {
  /** Exact archive size, known before the first byte (Content-Length). */
  size: number;
  entries: number;
  stream: Readable;
}

/**
 * Reading a version's files: who may, ranged reads of one blob, a folder or version as a tar streamed blob by
 * blob (no temporary copy), and the download counter. Verified versions are readable by viewers; files of a
 * version not (yet) verified — a draft's uploads, a failed import — only by editors, since nothing vouches for them.
 */
export class DownloadService {
  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly versions: VersionService,
    private readonly files: VersionFilesService,
    /** An S3 store's presigner and how long its URLs live; null streams every download through the API. */
    private readonly presign: { sign: BlobPresigner; ttlSeconds: number } | null = null,
    /** Project isolation (ProjectAccessService): a model outside the caller's projects is NOT_FOUND, as over GraphQL. */
    private readonly access: { readableModel(principal: Principal, model: ModelEntity): Promise<ModelEntity> } | null = null,
  ) {}

  /** Where a whole-file GET is redirected (a presigned S3 URL), or null to stream it from here. */
  presigned(entry: ManifestEntry): Promise<string | null> {
    if (!this.presign || entry.size === 0) return Promise.resolve(null);
    return this.presign.sign(entry.sha256, entry.path.slice(entry.path.lastIndexOf('/') + 1), this.presign.ttlSeconds);
  }

  /** The version, when `principal` may read its files. */
  async readable(versionId: string, principal: Principal | null, authFailure: string | null = null): Promise<VersionRecord> {
    if (!principal) throw new UnauthenticatedError(authFailure ?? 'Authentication required: send "Authorization: Bearer <token>"');
    const version = await this.versions.get(versionId);
    const model = await this.db.getRepository(ModelEntity).findOneByOrFail({ id: version.modelId });
    await this.access?.readableModel(principal, model);
    if (!isUsable(version.status) && !hasRoleIn(principal, model.project ?? 'default', Role.EDITOR)) {
      throw new ForbiddenError(`Version ${version.version} is ${version.status}: its files are readable by editors only until it is verified`, { status: version.status });
    }
    return version;
  }

  async file(versionId: string, path: string): Promise<ManifestEntry> {
    const target = filePath('path', path);
    const entry = await this.files.file(versionId, target);
    if (!entry) throw new NotFoundError('File', target);
    return entry;
  }

  /** Bytes [start, end] of a file; the whole file is a verifying read (a corrupt blob fails before its end). */
  open(entry: ManifestEntry, range: { start: number; end: number } | null): Promise<Readable> {
    if (!range || (range.start === 0 && range.end === entry.size - 1)) return this.store.read(entry.sha256);
    return this.store.read(entry.sha256, range.start, range.end - range.start + 1);
  }

  /** Counts a download of the version (a whole-file GET or a tar, not probes or resumed slices). */
  async count(versionId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO version_downloads (version_id, count, last_at) VALUES ($1, 1, now())
       ON CONFLICT (version_id) DO UPDATE SET count = version_downloads.count + 1, last_at = now()`,
      [versionId],
    );
  }

  async countsFor(versionIds: readonly string[]): Promise<Map<string, number>> {
    const rows = (await this.db.query('SELECT version_id, count FROM version_downloads WHERE version_id = ANY($1::uuid[])', [[...versionIds]])) as {
      version_id: string;
      count: string;
    }[];
    return new Map(rows.map((r) => [r.version_id, Number(r.count)]));
  }

  /** A folder (or the whole version, `''`) as a tar: entries named relative to the version's root. */
  async tar(versionId: string, folder: string | null): Promise<TarDownload> {
    const under = folderPath('path', folder);
    const [all, folders] = await Promise.all([this.files.files(versionId), this.files.folders(versionId)]);
    if (!folderExists(all, folders, under)) throw new NotFoundError('Folder', under);
    const files = all.filter((f) => isUnder(f.path, under) || f.path === under);
    const empty = folders.filter((f) => isUnder(f, under) && !all.some((file) => isUnder(file.path, f)));
    const entries = [...empty.map((path) => ({ path, size: 0, kind: 'directory' as const })), ...files.map((f) => ({ path: f.path, size: f.size, kind: 'file' as const }))];
    const mtime = Math.floor(Date.now() / 1000);
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    const write = async function* (store: ArtifactStore): AsyncGenerator<Buffer> {
      for (const dir of empty) yield tarEntryHeader(dir, 0, 'directory', mtime);
      for (const file of files) {
        yield tarEntryHeader(file.path, file.size, 'file', mtime);
        // Verified whole-blob reads: a corrupt blob ends the archive with an error, never with wrong bytes.
        for await (const chunk of await store.read(file.sha256)) yield chunk as Buffer;
        yield padding(file.size);
      }
      yield TAR_END;
    };
    pipeline(write(this.store), out).catch((error: unknown) => out.destroy(error as Error));
    return { size: tarSize(entries), entries: entries.length, stream: out };
  }
}
