import DataLoader from 'dataloader';
import type { TransitionRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import type { Services } from '../../services/services';
import { manyPer, onePer } from '../loader-helpers';

export function versionLoaders(services: Services) {
  return {
    versionById: new DataLoader<string, VersionRecord | null>(async (ids) =>
      onePer(ids, await services.versions.byIds(ids), (v) => v.id),
    ),
    versionsByModel: new DataLoader<string, VersionRecord[]>(async (ids) =>
      manyPer(ids, await services.versions.forModels(ids), (v) => v.modelId),
    ),
    transitionsByVersion: new DataLoader<string, TransitionRecord[]>(async (ids) =>
      manyPer(ids, await services.modelQueries.transitionsForVersions(ids), (t) => t.versionId as string),
    ),
  };
}
