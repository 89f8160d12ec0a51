import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { TransitionRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import type { SignatureRecord } from '../../domain/signing/signature-record';
import type { ValidVersionFilter } from '../../domain/catalog/version-query';
import type { Services } from '../../services/services';
import { manyPer, onePer } from '../loader-helpers';

/** Read as the request's caller, like modelLoaders: a version of an unreadable project loads as null. */
export function versionLoaders(services: Services, caller: () => Caller) {
  return {
    versionById: new DataLoader<string, VersionRecord | null>(async (ids) =>
      onePer(ids, await services.versions.byIds(caller(), ids), (v) => v.id),
    ),
    versionsByModel: new DataLoader<string, VersionRecord[]>(async (ids) =>
      manyPer(ids, await services.versions.forModels(caller(), ids), (v) => v.modelId),
    ),
    versionsByModelFiltered: new DataLoader<FilteredVersionsKey, VersionRecord[], string>(
      async (keys) => {
        // A list of models asks each with the same filter: one statement per distinct filter, not per model.
        const groups = new Map<string, FilteredVersionsKey[]>();
        for (const key of keys) groups.set(key.filterKey, [...(groups.get(key.filterKey) ?? []), key]);
        const found = new Map<string, VersionRecord[]>();
        for (const [filterKey, group] of groups) {
          const ids = group.map((k) => k.modelId);
          const lists = manyPer(ids, await services.versionQueries.forModels(caller(), ids, group[0].filter), (v) => v.modelId);
          ids.forEach((id, i) => found.set(`${id}:${filterKey}`, lists[i]));
        }
        return keys.map((k) => found.get(`${k.modelId}:${k.filterKey}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.modelId}:${k.filterKey}` },
    ),
    signaturesByVersion: new DataLoader<string, SignatureRecord[]>(async (ids) =>
      manyPer(ids, await services.signatures.forVersions(caller(), ids), (s) => s.versionId),
    ),
    transitionsByVersion: new DataLoader<string, TransitionRecord[]>(async (ids) =>
      manyPer(ids, await services.modelQueries.transitionsForVersions(caller(), ids), (t) => t.versionId as string),
    ),
  };
}

/** A model's versions under a checked filter; `filterKey` (the filter as JSON) groups the keys of one filter. */
export interface FilteredVersionsKey {
  modelId: string;
  filter: ValidVersionFilter;
  filterKey: string;
}
