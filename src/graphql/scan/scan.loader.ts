import DataLoader from 'dataloader';
import type { ScanResultRecord } from '../../domain/catalog/catalog-records';
import type { ScanFileRecord } from '../../domain/scanning/scan-enums';
import type { Services } from '../../services/services';
import { manyPer, onePer } from '../loader-helpers';

export function scanLoaders(services: Services) {
  return {
    latestScanByModel: new DataLoader<string, ScanResultRecord | null>(async (ids) =>
      onePer(ids, await services.scans.latestForModels(ids), (s) => s.modelId),
    ),
    scansByVersion: new DataLoader<string, ScanResultRecord[]>(async (ids) =>
      manyPer(ids, await services.scans.forVersions(ids), (s) => s.versionId),
    ),
    filesByScan: new DataLoader<string, ScanFileRecord[]>(async (ids) => manyPer(ids, await services.scans.filesFor(ids), (f) => f.scanResultId)),
  };
}
