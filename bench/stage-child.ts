import { SourceType } from '../src/domain/catalog/catalog-enums';
import { IngestionService } from '../src/services/ingestion.service';
import { fixedStore } from '../src/services/store-registry';
import type { ImportListingService } from '../src/services/import-listing.service';
import type { StorageUsageService } from '../src/services/storage-usage.service';
import type { OperationService } from '../src/services/operation.service';
import { createSource } from '../src/storage/sources/create-source';
import { FsArtifactStore } from '../src/storage/fs-artifact-store';
import { loadConfig } from '../src/config/config';

/**
 * The worker's byte path for one file, in a process of its own so its peak RSS is the path's alone:
 * DISK source → hashing staging copy → content-addressed store (the stageSourceFile activity's work).
 */
async function main(): Promise<void> {
  const [file, root, artifactDir] = process.argv.slice(2);
  const config = loadConfig({ DISK_IMPORT_ROOTS: root, ARTIFACT_DIR: artifactDir, STAGING_DIR: `${artifactDir}/../staging` });
  // Progress rows are not part of the byte path; a no-op stands in for the database here.
  const operations = { update: async () => null } as unknown as OperationService;
  const store = new FsArtifactStore(config.artifacts.dir);
  const ingestion = new IngestionService(config, fixedStore(store), operations, {} as ImportListingService, {} as StorageUsageService);
  const source = createSource({ type: SourceType.DISK as const, path: file }, config, store);
  const { files: [entry] } = await source.list();
  const started = process.hrtime.bigint();
  const stored = await ingestion.stageSourceFile('bench', source, entry);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, sha256: stored.sha256, size: stored.size, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
