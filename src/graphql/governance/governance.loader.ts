import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { PromotionApprovalRecord, PromotionRequestRecord } from '../../domain/governance/promotion-request';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

/** Batches are read as the request's caller, like every other loader (see model.loader.ts). */
export function governanceLoaders(services: Services, caller: () => Caller) {
  const queries = services.promotionQueries;
  return {
    approvalsByRequest: new DataLoader<string, PromotionApprovalRecord[]>(async (ids) => manyPer(ids, await queries.approvalsFor(caller(), ids), (a) => a.requestId)),
    promotionsByModel: new DataLoader<string, PromotionRequestRecord[]>(async (ids) => manyPer(ids, await queries.forModels(caller(), ids), (r) => r.modelId)),
    promotionsByVersion: new DataLoader<string, PromotionRequestRecord[]>(async (ids) => manyPer(ids, await queries.forVersions(caller(), ids), (r) => r.versionId)),
  };
}
