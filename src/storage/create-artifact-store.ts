import type { Config } from '../config/config';
import type { ArtifactStore } from './artifact-store';
import type { CorruptionReporter } from './blob-integrity';
import { FsArtifactStore } from './fs-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

/** `onCorrupt` hears of every blob a read found corrupt and quarantined (the runtime logs it as an error). */
export function createArtifactStore(config: Config['artifacts'], onCorrupt?: CorruptionReporter): ArtifactStore {
  return config.store === 's3' ? new S3ArtifactStore(config.s3, onCorrupt) : new FsArtifactStore(config.dir, onCorrupt);
}
