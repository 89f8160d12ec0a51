import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { TransitionRecord, VersionRecord } from '../../domain/catalog/catalog-records';
import type { SignatureRecord } from '../../domain/signing/signature-record';
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
    signaturesByVersion: new DataLoader<string, SignatureRecord[]>(async (ids) =>
      manyPer(ids, await services.signatures.forVersions(caller(), ids), (s) => s.versionId),
    ),
    transitionsByVersion: new DataLoader<string, TransitionRecord[]>(async (ids) =>
      manyPer(ids, await services.modelQueries.transitionsForVersions(caller(), ids), (t) => t.versionId as string),
    ),
  };
}
