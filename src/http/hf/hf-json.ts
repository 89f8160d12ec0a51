import { createHash } from 'node:crypto';
import type { TreeEntry } from '../../domain/files/file-tree';
import type { ModelRecord } from '../../domain/catalog/catalog-records';
import { commitOfVersion, lfsPointerSize } from '../../domain/files/hub-revision';
import type { HubRevision } from '../../services/download-hub.service';

/** What git would store for the file: the blob id of its LFS pointer (every file is served as LFS). */
function pointerOid(sha256: string, size: number): string {
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
  return createHash('sha1').update(`blob ${Buffer.byteLength(pointer)}\0${pointer}`).digest('hex');
}

function treeOid(path: string): string {
  return createHash('sha1').update(`tree ${path}`).digest('hex');
}

/** One entry of `/tree` and `/paths-info`, shaped as the hub answers it. */
export function hubEntry(entry: TreeEntry): Record<string, unknown> {
  if (entry.type === 'DIRECTORY') return { type: 'directory', path: entry.path, size: 0, oid: treeOid(entry.path) };
  const sha256 = entry.sha256 as string;
  return {
    type: 'file',
    path: entry.path,
    size: entry.size,
    oid: pointerOid(sha256, entry.size),
    lfs: { oid: sha256, size: entry.size, pointerSize: lfsPointerSize(sha256, entry.size) },
  };
}

/** `GET /api/models/{ns}/{name}[/revision/{rev}]`: model info at a revision. */
export function hubModelInfo(rev: HubRevision, files: readonly TreeEntry[], downloads: number): Record<string, unknown> {
  const id = `${rev.model.project ?? 'default'}/${rev.model.name}`;
  return {
    _id: rev.model.id,
    id,
    modelId: id,
    author: rev.model.project ?? 'default',
    sha: rev.commit,
    private: true,
    disabled: false,
    gated: false,
    downloads,
    likes: 0,
    tags: [...rev.model.tags],
    pipeline_tag: rev.model.tasks[0] ?? null,
    library_name: null,
    createdAt: rev.version.createdAt.toISOString(),
    lastModified: rev.version.createdAt.toISOString(),
    cardData: { license: rev.model.licenseId, version: rev.version.version },
    siblings: files.map((f) => ({ rfilename: f.path, size: f.size, blobId: pointerOid(f.sha256 as string, f.size), lfs: { sha256: f.sha256, size: f.size, pointerSize: lfsPointerSize(f.sha256 as string, f.size) } })),
    usedStorage: files.reduce((n, f) => n + f.size, 0),
  };
}

/** One model of `GET /api/models` (list_models): the model info without files. */
export function hubListedModel(model: ModelRecord, registrySigned: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const id = `${model.project ?? 'default'}/${model.name}`;
  return {
    _id: model.id,
    id,
    modelId: id,
    author: model.project ?? 'default',
    sha: model.defaultVersionId ? commitOfVersion(model.defaultVersionId, registrySigned.has(model.defaultVersionId)) : null,
    private: true,
    disabled: false,
    gated: false,
    downloads: 0,
    likes: 0,
    tags: [...model.tags],
    pipeline_tag: model.tasks[0] ?? null,
    library_name: null,
    createdAt: model.createdAt.toISOString(),
    lastModified: model.updatedAt.toISOString(),
  };
}
