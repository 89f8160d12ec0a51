import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { Services } from '../../services/services';
import type { UpstreamWatchRecord } from '../../services/upstream-watch.service';
import { onePer } from '../loader-helpers';

/** What the upstream watch last saw per model, read as the request's caller. */
export function upstreamLoaders(services: Services, caller: () => Caller) {
  return {
    upstreamByModel: new DataLoader<string, UpstreamWatchRecord | null>(async (ids) => onePer(ids, await services.upstreamWatch.forModels(caller(), ids), (w) => w.modelId)),
  };
}
