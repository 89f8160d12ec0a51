import type { Config } from '../config/config';
import type { ArtifactStore } from './artifact-store';
import { FsArtifactStore } from './fs-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

export function createArtifactStore(config: Config['artifacts']): ArtifactStore {
  return config.store === 's3' ? new S3ArtifactStore(config.s3) : new FsArtifactStore(config.dir);
}
