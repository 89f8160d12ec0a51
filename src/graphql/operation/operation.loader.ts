import DataLoader from 'dataloader';
import type { LocalCacheRecord, ManifestEntry } from '../../domain/onboarding/manifest';
import type { OperationRecord } from '../../domain/onboarding/operation';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

export function operationLoaders(services: Services) {
  return {
    operationsByModel: new DataLoader<string, OperationRecord[]>(async (ids) =>
      manyPer(ids, await services.operations.forModels(ids), (o) => o.modelId),
    ),
    filesByVersion: new DataLoader<string, ManifestEntry[]>(async (ids) =>
      manyPer(ids, await services.versions.filesFor(ids), (f) => f.versionId),
    ),
    cachesByVersion: new DataLoader<string, LocalCacheRecord[]>(async (ids) =>
      manyPer(ids, await services.caches.forVersions(ids), (c) => c.versionId),
    ),
  };
}
