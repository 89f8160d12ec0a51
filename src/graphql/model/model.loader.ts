import DataLoader from 'dataloader';
import type { ModelRecord, TransitionRecord } from '../../domain/catalog/catalog-records';
import type { Services } from '../../services/services';
import { manyPer, onePer } from '../loader-helpers';

export function modelLoaders(services: Services) {
  return {
    modelById: new DataLoader<string, ModelRecord | null>(async (ids) =>
      onePer(ids, await services.modelQueries.byIds(ids), (m) => m.id),
    ),
    transitionsByModel: new DataLoader<string, TransitionRecord[]>(async (ids) =>
      manyPer(ids, await services.modelQueries.transitionsFor(ids), (t) => t.modelId),
    ),
  };
}
