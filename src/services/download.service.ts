import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import { type Caller, holdsRole } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ForbiddenError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { filePath, folderPath, isUnder } from '../domain/files/file-path';
import { folderExists } from '../domain/files/file-tree';
import { type OutOfService, VersionOutOfServiceError } from '../domain/files/out-of-service';
import { padding, TAR_END, tarEntryHeader, tarSize } from '../domain/files/tar-format';
import { isUsable } from '../domain/lifecycle/lifecycle';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import type { StoreRegistry } from './store-registry';
import type { VersionFilesService } from './version-files.service';
import { type ReadableVersion, readableSql, readableVersion } from './version-files-read';

export interface TarDownload {
  /** Exact archive size, known before the first byte (Content-Length). */
  size: number;
  entries: number;
  stream: Readable;
}

/**
 * Who may have the bytes of a version that is not (yet) usable (a draft's uploads, a failed import): `editors` of
 * its project (nothing vouches for the files, but they put them there), or `nobody` (the hub API: serving engines
 * pull only what was checked, and a draft is never `main`).
 */
export type UnusableRule = 'editors' | 'nobody';

/**
 * Reading a version's files: the one gate every download path goes through (`servable`: NOT_FOUND when the caller
 * cannot read the project, 451 when the version is out of service (`OutOfService`: the scan quarantine's answer),
 * whoever asks; an unusable version per `UnusableRule`), ranged reads of one blob, a folder or version as a tar streamed blob by blob (no temporary copy),
 * and the download counter.
 */
export class DownloadService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly files: VersionFilesService,
    private readonly service: OutOfService,
    /** How long a presigned S3 URL lives (minutes, so a version taken out of service stops being served soon); 0 streams every download through the API. */
    private readonly presignTtlSeconds: number,
  ) {}

  /** Where a whole-file GET is redirected (a presigned URL of the version's S3 store), or null to stream it from here. */
  async presigned(version: { id: string }, entry: ManifestEntry): Promise<string | null> {
    if (this.presignTtlSeconds <= 0 || entry.size === 0) return null;
    const { store } = await this.stores.forVersion(version.id);
    return store.presignGet(entry.sha256, entry.path.slice(entry.path.lastIndexOf('/') + 1), this.presignTtlSeconds);
  }

  /** The version, when its bytes may go to `caller`; every download asks here first. */
  async servable(caller: Caller, versionId: string, unusable: UnusableRule): Promise<ReadableVersion> {
    const id = uuid('versionId', versionId);
    const version = await readableVersion(this.db, caller, id);
    if (!version) throw new NotFoundError('Version', id);
    const out = await this.service.outOfService(id);
    if (out) throw new VersionOutOfServiceError(version.version, out.scanId, out.reason);
    if (isUsable(version.status)) return version;
    if (unusable === 'editors' && holdsRole(caller, version.project, Role.EDITOR)) return version;
    if (unusable === 'nobody') throw new NotFoundError('Version', id);
    throw new ForbiddenError(`Version ${version.version} is ${version.status}: its files are readable by editors only until it is verified`, { status: version.status });
  }

  async file(caller: Caller, versionId: string, path: string, unusable: UnusableRule): Promise<{ version: ReadableVersion; entry: ManifestEntry }> {
    const target = filePath('path', path);
    const version = await this.servable(caller, versionId, unusable);
    const entry = await this.files.file(caller, version.id, target);
    if (!entry) throw new NotFoundError('File', target);
    return { version, entry };
  }

  /** Bytes [start, end] of a file; the whole file is a verifying read (a corrupt blob fails before its end). */
  async open(version: { id: string }, entry: ManifestEntry, range: { start: number; end: number } | null): Promise<Readable> {
    const { store } = await this.stores.forVersion(version.id);
    if (!range || (range.start === 0 && range.end === entry.size - 1)) return store.read(entry.sha256);
    return store.read(entry.sha256, range.start, range.end - range.start + 1);
  }

  /** Counts a download of the version (a whole-file GET or a tar, not probes or resumed slices). */
  async count(caller: Caller, versionId: string): Promise<void> {
    const scope = readableSql(caller, 2);
    await this.db.query(
      `INSERT INTO version_downloads (version_id, count, last_at)
       SELECT v.id, 1, now() FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.id = $1${scope.sql}
       ON CONFLICT (version_id) DO UPDATE SET count = version_downloads.count + 1, last_at = now()`,
      [versionId, ...scope.params],
    );
  }

  async countsFor(caller: Caller, versionIds: readonly string[]): Promise<Map<string, number>> {
    const scope = readableSql(caller, 2);
    const rows = (await this.db.query(
      `SELECT d.version_id, d.count FROM version_downloads d JOIN model_versions v ON v.id = d.version_id JOIN models m ON m.id = v.model_id
        WHERE d.version_id = ANY($1::uuid[])${scope.sql}`,
      [[...versionIds], ...scope.params],
    )) as { version_id: string; count: string }[];
    return new Map(rows.map((r) => [r.version_id, Number(r.count)]));
  }

  /** A folder (or the whole version, `''`) as a tar: entries named relative to the version's root. */
  async tar(caller: Caller, versionId: string, folder: string | null): Promise<{ version: ReadableVersion; tar: TarDownload }> {
    const under = folderPath('path', folder);
    const version = await this.servable(caller, versionId, 'editors');
    const [all, folders] = await Promise.all([this.files.files(caller, version.id), this.files.folders(caller, version.id)]);
    if (!folderExists(all, folders, under)) throw new NotFoundError('Folder', under);
    const files = all.filter((f) => isUnder(f.path, under) || f.path === under);
    const empty = folders.filter((f) => isUnder(f, under) && !all.some((file) => isUnder(file.path, f)));
    const entries = [...empty.map((path) => ({ path, size: 0, kind: 'directory' as const })), ...files.map((f) => ({ path: f.path, size: f.size, kind: 'file' as const }))];
    const mtime = Math.floor(Date.now() / 1000);
    const { store } = await this.stores.forVersion(version.id);
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    const write = async function* (): AsyncGenerator<Buffer> {
      for (const dir of empty) yield tarEntryHeader(dir, 0, 'directory', mtime);
      for (const file of files) {
        yield tarEntryHeader(file.path, file.size, 'file', mtime);
        // Verified whole-blob reads: a corrupt blob ends the archive with an error, never with wrong bytes.
        for await (const chunk of await store.read(file.sha256)) yield chunk as Buffer;
        yield padding(file.size);
      }
      yield TAR_END;
    };
    pipeline(write(), out).catch((error: unknown) => out.destroy(error as Error));
    return { version, tar: { size: tarSize(entries), entries: entries.length, stream: out } };
  }
}
