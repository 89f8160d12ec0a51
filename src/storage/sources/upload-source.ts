import type { ArtifactStore } from '../artifact-store';
import { UploadOutsideStoreError } from '../upload-path';
import type { OpenedSource } from '../staged-file';
import { type ModelSource, type SourceFile, type SourceListing, SourceUnavailableError } from './model-source';

/** CUSTOM imports: files already uploaded to the artifact store under `uploads/<storagePath>/`. */
export class UploadSource implements ModelSource {
  constructor(
    private readonly store: ArtifactStore,
    private readonly prefix: string,
  ) {}

  async list(): Promise<SourceListing> {
    const files = await this.store.listUploads(this.prefix).catch(() => []);
    if (files.length === 0) throw new SourceUnavailableError(`no uploaded files under uploads/${this.prefix}`);
    return { revision: null, files: files.map((f) => ({ path: f.path, size: f.size, sha256: null, gitBlobId: null })) };
  }

  async open(file: SourceFile, offset: number): Promise<OpenedSource> {
    try {
      return { stream: await this.store.readUpload(this.prefix, file.path, offset), offset };
    } catch (error) {
      if (!(error instanceof UploadOutsideStoreError)) throw error;
      throw new SourceUnavailableError(`uploads/${this.prefix}/${file.path} is not a file inside the uploads folder`, 'BAD_USER_INPUT');
    }
  }
}
