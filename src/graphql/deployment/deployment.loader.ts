import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { DeploymentRecord } from '../../domain/deployments/deployment';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

/** Active deployments per version and per model, read as the request's caller. */
export function deploymentLoaders(services: Services, caller: () => Caller) {
  return {
    deploymentsByVersion: new DataLoader<string, DeploymentRecord[]>(async (ids) => manyPer(ids, await services.deployments.forVersions(caller(), ids), (d) => d.versionId)),
    deploymentsByModel: new DataLoader<string, DeploymentRecord[]>(async (ids) => manyPer(ids, await services.deployments.forModels(caller(), ids), (d) => d.modelId)),
  };
}
