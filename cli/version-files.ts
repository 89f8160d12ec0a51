import type { ApiClient } from './api-client';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  format: string;
}

// No literal `first`: the server's default page is its largest (FILES_LIST_LIMIT), and a literal would
// multiply the query's estimated cost past MAX_QUERY_COST.
const FILES = `query($id: ID!, $after: String) { version(id: $id) { files(after: $after) { path size sha256 format } } }`;

/** Every file of a version's manifest, page by page (ordered by path; `after` is the last path seen). */
export async function versionFiles(api: ApiClient, versionId: string): Promise<ManifestFile[]> {
  const all: ManifestFile[] = [];
  let after: string | undefined;
  for (;;) {
    const { version } = await api.query<{ version: { files: { path: string; size: string | number; sha256: string; format: string }[] } }>(FILES, { id: versionId, after });
    if (version.files.length === 0) return all;
    all.push(...version.files.map((f) => ({ ...f, size: Number(f.size) })));
    after = version.files[version.files.length - 1].path;
  }
}
