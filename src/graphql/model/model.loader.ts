import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { ModelRecord, TransitionRecord } from '../../domain/catalog/catalog-records';
import type { Services } from '../../services/services';
import { manyPer, onePer } from '../loader-helpers';

/**
 * Batches are read as the request's caller: a model of a project it cannot read loads as null (a nested field
 * reached from a root that forgot its check shows nothing). `caller` is called on the first load, so a request
 * without a token fails there (UNAUTHENTICATED), never with everything.
 */
export function modelLoaders(services: Services, caller: () => Caller) {
  return {
    modelById: new DataLoader<string, ModelRecord | null>(async (ids) =>
      onePer(ids, await services.modelQueries.byIds(caller(), ids), (m) => m.id),
    ),
    transitionsByModel: new DataLoader<string, TransitionRecord[]>(async (ids) =>
      manyPer(ids, await services.modelQueries.transitionsFor(caller(), ids), (t) => t.modelId),
    ),
  };
}
