import type { Config } from '../../config/config';
import { SourceType } from '../../domain/catalog/catalog-enums';
import type { ImportSource } from '../../domain/onboarding/import-source';
import type { ArtifactStore } from '../artifact-store';
import { DiskSource } from './disk-source';
import { DraftBlobSource, type DraftListing } from './draft-blob-source';
import { HuggingFaceSource } from './hugging-face-source';
import type { ModelSource } from './model-source';
import { UploadSource } from './upload-source';
import { UrlSource } from './url-source';

/**
 * `pinnedRevision` is a listing's `revision`: pass it when opening files of that listing (in a later
 * activity) so they are read at the listed commit, not wherever the requested branch points now.
 */
export function createSource(
  source: ImportSource,
  config: Pick<Config, 'hub' | 'imports' | 'urlImports'>,
  store: ArtifactStore,
  pinnedRevision: string | null = null,
  drafts: DraftListing | null = null,
): ModelSource {
  switch (source.type) {
    case SourceType.HUGGING_FACE:
      return new HuggingFaceSource(config.hub, source.repoId, pinnedRevision ?? source.revision);
    case SourceType.URL:
      return new UrlSource(source, config);
    case SourceType.DISK:
      return new DiskSource(source.path, config.imports.diskRoots);
    case SourceType.CUSTOM:
      return source.draftVersionId ? new DraftBlobSource(store, source.draftVersionId, drafts) : new UploadSource(store, source.storagePath);
  }
}
