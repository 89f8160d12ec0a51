import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { PromotionApprovalRecord, PromotionRequestRecord } from '../../domain/governance/promotion-request';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

/**
 * A loader key carries the request's caller, so the batch read is narrowed to what it may read (loaders are made
 * per request, before the caller is known to them; every key of one loader comes from that one request).
 */
export interface CallerKey {
  caller: Caller;
  id: string;
}

function perCaller<V>(batch: (caller: Caller, ids: readonly string[]) => Promise<V[][]>) {
  return new DataLoader<CallerKey, V[], string>(async (keys) => batch(keys[0].caller, keys.map((key) => key.id)), { cacheKeyFn: (key) => key.id });
}

export function governanceLoaders(services: Services) {
  const queries = services.promotionQueries;
  return {
    approvalsByRequest: perCaller<PromotionApprovalRecord>(async (caller, ids) => manyPer(ids, await queries.approvalsFor(caller, ids), (a) => a.requestId)),
    promotionsByModel: perCaller<PromotionRequestRecord>(async (caller, ids) => manyPer(ids, await queries.forModels(caller, ids), (r) => r.modelId)),
    promotionsByVersion: perCaller<PromotionRequestRecord>(async (caller, ids) => manyPer(ids, await queries.forVersions(caller, ids), (r) => r.versionId)),
  };
}
