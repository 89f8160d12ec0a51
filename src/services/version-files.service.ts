import { type DataSource, type EntityManager, In } from 'typeorm';
import type { ArtifactFormat } from '../domain/artifacts/artifact-format';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { ancestorsOf, filePath, folderPath, isUnder } from '../domain/files/file-path';
import { FilesImmutableError } from '../domain/files/files.errors';
import { folderExists, treeEntries, type TreeEntry } from '../domain/files/file-tree';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { VersionEntity } from '../persistence/entities/version.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import { lockModel } from './model-lock';
import { lockVersion } from './model-transition';
import type { ProjectAccessService } from './project-access.service';
import { listFiles, listFolders, readableSql, readableVersion } from './version-files-read';

export type FileChangeAction = 'ADD' | 'REPLACE' | 'MOVE' | 'REMOVE' | 'CREATE_FOLDER';

export interface FileChangeRecord {
  id: string;
  versionId: string;
  action: FileChangeAction;
  path: string;
  fromPath: string | null;
  sha256: string | null;
  size: number | null;
  actor: string;
  occurredAt: Date;
}

interface ChangeRow {
  id: string;
  version_id: string;
  action: FileChangeAction;
  path: string;
  from_path: string | null;
  sha256: string | null;
  size: string | null;
  actor: string;
  occurred_at: Date;
}

/**
 * A version's files as a tree, and the changes a DRAFT allows (add, replace, move, remove, create folder).
 * Reads are narrowed to the caller's readable projects in SQL; each change checks the editor role in the version's
 * project inside its transaction, after locking the model then the version (the lock order of every lifecycle
 * move), so a submit that moves the version to INGESTING either sees the change or makes it fail with
 * FilesImmutableError, and a model moved to another project is checked where it now is.
 */
export class VersionFilesService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
  ) {}

  /** One folder (or everything below it): NOT_FOUND for a version the caller cannot read, as for one that does not exist. */
  async tree(caller: Caller, versionId: string, under: string | null, recursive: boolean): Promise<TreeEntry[]> {
    const id = uuid('versionId', versionId);
    const folder = folderPath('path', under);
    const [version, files, folders] = await Promise.all([readableVersion(this.db, caller, id), this.files(caller, id), this.folders(caller, id)]);
    if (!version) throw new NotFoundError('Version', id);
    if (!folderExists(files, folders, folder)) throw new NotFoundError('Folder', folder);
    return treeEntries(files, folders, folder, recursive);
  }

  files(caller: Caller, versionId: string, manager: EntityManager = this.db.manager): Promise<ManifestEntry[]> {
    return listFiles(manager, caller, versionId);
  }

  async file(caller: Caller, versionId: string, path: string): Promise<ManifestEntry | null> {
    return (await listFiles(this.db, caller, versionId, path))[0] ?? null;
  }

  folders(caller: Caller, versionId: string, manager: EntityManager = this.db.manager): Promise<string[]> {
    return listFolders(manager, caller, versionId);
  }

  /** Every recorded change of these versions the caller may read, oldest first (one query for a page of versions). */
  async changesFor(caller: Caller, versionIds: readonly string[]): Promise<FileChangeRecord[]> {
    const scope = readableSql(caller, 2);
    const rows = (await this.db.query(
      `SELECT c.* FROM version_file_changes c JOIN model_versions v ON v.id = c.version_id JOIN models m ON m.id = v.model_id
        WHERE c.version_id = ANY($1::uuid[])${scope.sql} ORDER BY c.id`,
      [[...versionIds], ...scope.params],
    )) as ChangeRow[];
    return rows.map((r) => ({
      id: String(r.id),
      versionId: r.version_id,
      action: r.action,
      path: r.path,
      fromPath: r.from_path,
      sha256: r.sha256,
      size: r.size === null ? null : Number(r.size),
      actor: r.actor,
      occurredAt: r.occurred_at,
    }));
  }

  /** Adds a stored blob at `path`, replacing the file there (the upload path calls this once the blob is stored). */
  async putFile(caller: Caller, versionId: string, path: string, entry: { sha256: string; size: number; format: ArtifactFormat }): Promise<ManifestEntry> {
    const target = filePath('path', path);
    return this.inDraft(caller, versionId, 'Uploading files', async (tx, version) => {
      const files = await this.files(caller, version.id, tx);
      const clash = files.find((f) => isUnder(f.path, target)) ?? files.find((f) => ancestorsOf(target).includes(f.path));
      if (clash) throw new ConflictError(`"${target}" clashes with "${clash.path}": a path cannot be both a file and a folder`, { field: 'path' });
      const existing = files.find((f) => f.path === target);
      await tx.getRepository(VersionFileEntity).upsert({ versionId: version.id, path: target, ...entry }, ['versionId', 'path']);
      await tx.query('DELETE FROM version_folders WHERE version_id = $1 AND path = $2', [version.id, target]);
      await this.record(tx, version.id, existing ? 'REPLACE' : 'ADD', target, null, entry, caller);
      return { path: target, ...entry };
    });
  }

  /** Moves a file, or a folder with everything in it; the target must not exist. Answers the version. */
  async move(caller: Caller, versionId: string, from: string, to: string): Promise<VersionEntity> {
    const source = filePath('from', from);
    const target = filePath('to', to);
    if (isUnder(target, source) || target === source) throw new ConflictError(`Cannot move "${source}" into itself`, { field: 'to' });
    return this.inDraft(caller, versionId, 'Moving files', async (tx, version) => {
      const [files, folders] = await Promise.all([this.files(caller, version.id, tx), this.folders(caller, version.id, tx)]);
      const moved = files.filter((f) => f.path === source || isUnder(f.path, source));
      const movedFolders = folders.filter((f) => f === source || isUnder(f, source));
      if (moved.length === 0 && movedFolders.length === 0) throw new NotFoundError('File or folder', source);
      if (files.some((f) => f.path === target || isUnder(f.path, target)) || folders.includes(target)) {
        throw new ConflictError(`"${target}" already exists`, { field: 'to' });
      }
      const renamed = (path: string) => target + path.slice(source.length);
      for (const file of moved) {
        await tx.query('UPDATE version_files SET path = $3 WHERE version_id = $1 AND path = $2', [version.id, file.path, renamed(file.path)]);
        await this.record(tx, version.id, 'MOVE', renamed(file.path), file.path, file, caller);
      }
      for (const folder of movedFolders) {
        await tx.query('UPDATE version_folders SET path = $3 WHERE version_id = $1 AND path = $2', [version.id, folder, renamed(folder)]);
      }
      if (moved.length === 0) await this.record(tx, version.id, 'MOVE', target, source, null, caller);
      return version;
    });
  }

  /** Removes a file, or a folder and everything in it. Answers the version. */
  async remove(caller: Caller, versionId: string, path: string): Promise<VersionEntity> {
    const target = filePath('path', path);
    return this.inDraft(caller, versionId, 'Removing files', async (tx, version) => {
      const files = (await this.files(caller, version.id, tx)).filter((f) => f.path === target || isUnder(f.path, target));
      const folders = (await this.folders(caller, version.id, tx)).filter((f) => f === target || isUnder(f, target));
      if (files.length === 0 && folders.length === 0) throw new NotFoundError('File or folder', target);
      if (files.length > 0) await tx.getRepository(VersionFileEntity).delete({ versionId: version.id, path: In(files.map((f) => f.path)) });
      await tx.query('DELETE FROM version_folders WHERE version_id = $1 AND path = ANY($2::text[])', [version.id, folders]);
      for (const file of files) await this.record(tx, version.id, 'REMOVE', file.path, null, file, caller);
      if (files.length === 0) await this.record(tx, version.id, 'REMOVE', target, null, null, caller);
      return version;
    });
  }

  /** Creates an empty folder. Answers the version. */
  async createFolder(caller: Caller, versionId: string, path: string): Promise<VersionEntity> {
    const target = filePath('path', path);
    return this.inDraft(caller, versionId, 'Creating folders', async (tx, version) => {
      const files = await this.files(caller, version.id, tx);
      if (files.some((f) => f.path === target || ancestorsOf(target).includes(f.path))) {
        throw new ConflictError(`"${target}" clashes with a file of the same path`, { field: 'path' });
      }
      const inserted = (await tx.query('INSERT INTO version_folders (version_id, path) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING path', [
        version.id,
        target,
      ])) as unknown[];
      if (inserted.length > 0) await this.record(tx, version.id, 'CREATE_FOLDER', target, null, null, caller);
      return version;
    });
  }

  /**
   * Runs a change while the version is DRAFT, under the model's and the version's locks, once the caller is an
   * editor in the version's project as it is inside this transaction (NOT_FOUND when it cannot read that project,
   * FORBIDDEN when it can but is no editor there). `change` gets the project too.
   */
  async inDraft<T>(caller: Caller, versionId: string, action: string, change: (tx: EntityManager, version: VersionEntity, project: string) => Promise<T>): Promise<T> {
    const id = uuid('versionId', versionId);
    return this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOneBy({ id });
      if (!found) throw new NotFoundError('Version', id);
      await lockModel(tx, found.modelId);
      const project = await this.access.authorize(caller, 'Version', id, Role.EDITOR, action, tx);
      const version = await lockVersion(tx, id);
      if (!version) throw new NotFoundError('Version', id);
      if (version.status !== LifecycleStage.DRAFT) throw new FilesImmutableError(version.version, version.status);
      return change(tx, version, project);
    });
  }

  private async record(
    tx: EntityManager,
    versionId: string,
    action: FileChangeAction,
    path: string,
    fromPath: string | null,
    blob: { sha256: string; size: number } | null,
    caller: Caller,
  ): Promise<void> {
    await recordFileChange(tx, caller, { versionId, action, path, fromPath, blob });
  }
}

/** One row of a draft's file history (who changed what), in the transaction that made the change. */
export async function recordFileChange(
  tx: EntityManager,
  caller: Caller,
  change: { versionId: string; action: FileChangeAction; path: string; fromPath: string | null; blob: { sha256: string; size: number } | null },
): Promise<void> {
  await tx.query('INSERT INTO version_file_changes (version_id, action, path, from_path, sha256, size, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    change.versionId,
    change.action,
    change.path,
    change.fromPath,
    change.blob?.sha256 ?? null,
    change.blob?.size ?? null,
    caller.subject.slice(0, 256),
  ]);
}
