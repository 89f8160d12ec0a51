import { type DataSource, type EntityManager, In } from 'typeorm';
import type { ArtifactFormat } from '../domain/artifacts/artifact-format';
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
 * Each change locks the model then the version (the lock order of every lifecycle move), so a submit that
 * moves the version to INGESTING either sees the change or makes it fail with FilesImmutableError.
 */
export class VersionFilesService {
  constructor(private readonly db: DataSource) {}

  async tree(versionId: string, under: string | null, recursive: boolean): Promise<TreeEntry[]> {
    const id = uuid('versionId', versionId);
    const folder = folderPath('path', under);
    const [files, folders] = await Promise.all([this.files(id), this.folders(id)]);
    if (!folderExists(files, folders, folder)) throw new NotFoundError('Folder', folder);
    return treeEntries(files, folders, folder, recursive);
  }

  files(versionId: string, manager: EntityManager = this.db.manager): Promise<ManifestEntry[]> {
    return manager.getRepository(VersionFileEntity).find({ where: { versionId }, order: { path: 'ASC' } });
  }

  async file(versionId: string, path: string): Promise<ManifestEntry | null> {
    return this.db.getRepository(VersionFileEntity).findOneBy({ versionId, path });
  }

  async folders(versionId: string, manager: EntityManager = this.db.manager): Promise<string[]> {
    const rows = (await manager.query('SELECT path FROM version_folders WHERE version_id = $1 ORDER BY path', [versionId])) as { path: string }[];
    return rows.map((r) => r.path);
  }

  /** Every recorded change of these versions, oldest first (one query for a page of versions). */
  async changesFor(versionIds: readonly string[]): Promise<FileChangeRecord[]> {
    const rows = (await this.db.query('SELECT * FROM version_file_changes WHERE version_id = ANY($1::uuid[]) ORDER BY id', [[...versionIds]])) as ChangeRow[];
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
  async putFile(versionId: string, path: string, entry: { sha256: string; size: number; format: ArtifactFormat }, actor: string): Promise<ManifestEntry> {
    const target = filePath('path', path);
    return this.inDraft(versionId, async (tx, version) => {
      const files = await this.files(version.id, tx);
      const clash = files.find((f) => isUnder(f.path, target)) ?? files.find((f) => ancestorsOf(target).includes(f.path));
      if (clash) throw new ConflictError(`"${target}" clashes with "${clash.path}": a path cannot be both a file and a folder`, { field: 'path' });
      const existing = files.find((f) => f.path === target);
      await tx.getRepository(VersionFileEntity).upsert({ versionId: version.id, path: target, ...entry }, ['versionId', 'path']);
      await tx.query('DELETE FROM version_folders WHERE version_id = $1 AND path = $2', [version.id, target]);
      await this.record(tx, version.id, existing ? 'REPLACE' : 'ADD', target, null, entry, actor);
      return { path: target, ...entry };
    });
  }

  /** Moves a file, or a folder with everything in it; the target must not exist. */
  async move(versionId: string, from: string, to: string, actor: string): Promise<number> {
    const source = filePath('from', from);
    const target = filePath('to', to);
    if (isUnder(target, source) || target === source) throw new ConflictError(`Cannot move "${source}" into itself`, { field: 'to' });
    return this.inDraft(versionId, async (tx, version) => {
      const [files, folders] = await Promise.all([this.files(version.id, tx), this.folders(version.id, tx)]);
      const moved = files.filter((f) => f.path === source || isUnder(f.path, source));
      const movedFolders = folders.filter((f) => f === source || isUnder(f, source));
      if (moved.length === 0 && movedFolders.length === 0) throw new NotFoundError('File or folder', source);
      if (files.some((f) => f.path === target || isUnder(f.path, target)) || folders.includes(target)) {
        throw new ConflictError(`"${target}" already exists`, { field: 'to' });
      }
      const renamed = (path: string) => target + path.slice(source.length);
      for (const file of moved) {
        await tx.query('UPDATE version_files SET path = $3 WHERE version_id = $1 AND path = $2', [version.id, file.path, renamed(file.path)]);
        await this.record(tx, version.id, 'MOVE', renamed(file.path), file.path, file, actor);
      }
      for (const folder of movedFolders) {
        await tx.query('UPDATE version_folders SET path = $3 WHERE version_id = $1 AND path = $2', [version.id, folder, renamed(folder)]);
      }
      if (moved.length === 0) await this.record(tx, version.id, 'MOVE', target, source, null, actor);
      return moved.length;
    });
  }

  /** Removes a file, or a folder and everything in it. */
  async remove(versionId: string, path: string, actor: string): Promise<number> {
    const target = filePath('path', path);
    return this.inDraft(versionId, async (tx, version) => {
      const files = (await this.files(version.id, tx)).filter((f) => f.path === target || isUnder(f.path, target));
      const folders = (await this.folders(version.id, tx)).filter((f) => f === target || isUnder(f, target));
      if (files.length === 0 && folders.length === 0) throw new NotFoundError('File or folder', target);
      if (files.length > 0) await tx.getRepository(VersionFileEntity).delete({ versionId: version.id, path: In(files.map((f) => f.path)) });
      await tx.query('DELETE FROM version_folders WHERE version_id = $1 AND path = ANY($2::text[])', [version.id, folders]);
      for (const file of files) await this.record(tx, version.id, 'REMOVE', file.path, null, file, actor);
      if (files.length === 0) await this.record(tx, version.id, 'REMOVE', target, null, null, actor);
      return files.length;
    });
  }

  async createFolder(versionId: string, path: string, actor: string): Promise<string> {
    const target = filePath('path', path);
    return this.inDraft(versionId, async (tx, version) => {
      const files = await this.files(version.id, tx);
      if (files.some((f) => f.path === target || ancestorsOf(target).includes(f.path))) {
        throw new ConflictError(`"${target}" clashes with a file of the same path`, { field: 'path' });
      }
      const inserted = (await tx.query('INSERT INTO version_folders (version_id, path) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING path', [
        version.id,
        target,
      ])) as unknown[];
      if (inserted.length > 0) await this.record(tx, version.id, 'CREATE_FOLDER', target, null, null, actor);
      return target;
    });
  }

  /** Runs a change while the version is DRAFT, under the model's and the version's locks. */
  async inDraft<T>(versionId: string, change: (tx: EntityManager, version: VersionEntity) => Promise<T>): Promise<T> {
    const id = uuid('versionId', versionId);
    return this.db.transaction(async (tx) => {
      const found = await tx.getRepository(VersionEntity).findOneBy({ id });
      if (!found) throw new NotFoundError('Version', id);
      await lockModel(tx, found.modelId);
      const version = await lockVersion(tx, id);
      if (!version) throw new NotFoundError('Version', id);
      if (version.status !== LifecycleStage.DRAFT) throw new FilesImmutableError(version.version, version.status);
      return change(tx, version);
    });
  }

  private async record(
    tx: EntityManager,
    versionId: string,
    action: FileChangeAction,
    path: string,
    fromPath: string | null,
    blob: { sha256: string; size: number } | null,
    actor: string,
  ): Promise<void> {
    await tx.query('INSERT INTO version_file_changes (version_id, action, path, from_path, sha256, size, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      versionId,
      action,
      path,
      fromPath,
      blob?.sha256 ?? null,
      blob?.size ?? null,
      actor.slice(0, 256),
    ]);
  }
}
