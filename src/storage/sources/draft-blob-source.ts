import type { ArtifactStore } from '../artifact-store';
import type { OpenedSource } from '../staged-file';
import { type ModelSource, type SourceFile, type SourceListing, SourceUnavailableError } from './model-source';

/** A DRAFT version's files as the service lists them (path, size and the sha256 of the stored upload). */
export type DraftListing = (versionId: string) => Promise<SourceFile[]>;

/**
 * Uploaded files of a submitted version: already in the store under their sha256, listed from the version's
 * draft manifest. The import reads each blob back through the same staging, hashing and checks as any source,
 * with the upload's sha256 as the promised digest, so an upload is verified and scanned exactly as an import.
 */
export class DraftBlobSource implements ModelSource {
  constructor(
    private readonly store: ArtifactStore,
    private readonly versionId: string,
    private readonly listing: DraftListing | null,
  ) {}

  async list(): Promise<SourceListing> {
    if (!this.listing) throw new Error('uploaded files can only be listed by a worker wired with the version files service');
    const files = await this.listing(this.versionId);
    if (files.length === 0) throw new SourceUnavailableError(`version ${this.versionId} has no uploaded files`, 'BAD_USER_INPUT');
    return { revision: null, files };
  }

  async open(file: SourceFile, offset: number): Promise<OpenedSource> {
    if (!file.sha256) throw new SourceUnavailableError(`${file.path}: an uploaded file without its sha256`, 'BAD_USER_INPUT');
    if (!(await this.store.has(file.sha256))) throw new SourceUnavailableError(`${file.path}: the uploaded blob ${file.sha256} is not in the store`);
    return { stream: await this.store.read(file.sha256, offset), offset };
  }
}
