import { ancestorsOf, baseName, isUnder } from './file-path';

export interface TreeFile {
  path: string;
  size: number;
  sha256: string;
  format: string;
}

export interface TreeEntry {
  type: 'FILE' | 'DIRECTORY';
  path: string;
  name: string;
  /** A file's size, or the sum of every file under a folder. */
  size: number;
  /** Files under a folder at any depth (1 for a file). */
  fileCount: number;
  sha256: string | null;
  format: string | null;
}

/** Sorted by path with plain code-unit order, as the hub lists trees (and as paging by `after` needs). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The entries of one folder of a version: its files and sub-folders (sizes and counts summed from the files
 * under them), or every file and folder below it when `recursive`. `folders` are folders created by hand,
 * listed even while empty.
 */
export function treeEntries(files: readonly TreeFile[], folders: readonly string[], under: string, recursive: boolean): TreeEntry[] {
  const entries = new Map<string, TreeEntry>();
  const depth = under === '' ? 0 : under.split('/').length;
  const folderEntry = (path: string): TreeEntry => {
    let entry = entries.get(path);
    if (!entry) entries.set(path, (entry = { type: 'DIRECTORY', path, name: baseName(path), size: 0, fileCount: 0, sha256: null, format: null }));
    return entry;
  };
  const visible = (path: string): boolean => isUnder(path, under) && (recursive || path.split('/').length === depth + 1);
  for (const folder of folders) {
    for (const path of [...ancestorsOf(folder), folder]) if (visible(path)) folderEntry(path);
  }
  for (const file of files) {
    if (!isUnder(file.path, under)) continue;
    for (const folder of ancestorsOf(file.path)) {
      if (!visible(folder)) continue;
      const entry = folderEntry(folder);
      entry.size += file.size;
      entry.fileCount += 1;
    }
    if (visible(file.path)) {
      entries.set(file.path, { type: 'FILE', path: file.path, name: baseName(file.path), size: file.size, fileCount: 1, sha256: file.sha256, format: file.format });
    }
  }
  return [...entries.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/** True when `under` names a folder of the version (it holds a file, or was created by hand). */
export function folderExists(files: readonly { path: string }[], folders: readonly string[], under: string): boolean {
  return under === '' || folders.some((f) => f === under || isUnder(f, under)) || files.some((f) => isUnder(f.path, under));
}
