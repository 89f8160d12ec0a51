import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { LocalCacheRecord, ManifestEntry } from '../../domain/onboarding/manifest';
import type { OperationRecord } from '../../domain/onboarding/operation';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

/** Operations and caches are read as the request's caller, so a nested list never shows another project's rows. */
export function operationLoaders(services: Services, caller: () => Caller) {
  return {
    operationsByModel: new DataLoader<string, OperationRecord[]>(async (ids) =>
      manyPer(ids, await services.operations.forModels(caller(), ids), (o) => o.modelId),
    ),
    filesByVersion: new DataLoader<string, ManifestEntry[]>(async (ids) =>
      manyPer(ids, await services.versions.filesFor(caller(), ids), (f) => f.versionId),
    ),
    cachesByVersion: new DataLoader<string, LocalCacheRecord[]>(async (ids) =>
      manyPer(ids, await services.caches.forVersions(caller(), ids), (c) => c.versionId),
    ),
  };
}
