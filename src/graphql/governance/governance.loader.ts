import DataLoader from 'dataloader';
import type { PromotionApprovalRecord, PromotionRequestRecord } from '../../domain/governance/promotion-request';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

export function governanceLoaders(services: Services) {
  return {
    approvalsByRequest: new DataLoader<string, PromotionApprovalRecord[]>(async (ids) => manyPer(ids, await services.promotionQueries.approvalsFor(ids), (a) => a.requestId)),
    promotionsByModel: new DataLoader<string, PromotionRequestRecord[]>(async (ids) => manyPer(ids, await services.promotionQueries.forModels(ids), (r) => r.modelId)),
    promotionsByVersion: new DataLoader<string, PromotionRequestRecord[]>(async (ids) => manyPer(ids, await services.promotionQueries.forVersions(ids), (r) => r.versionId)),
  };
}
