import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { ScanResultRecord } from '../../domain/catalog/catalog-records';
import type { ScanFileRecord } from '../../domain/scanning/scan-enums';
import type { Services } from '../../services/services';
import { manyPer, onePer } from '../loader-helpers';

/** Scans are read as the request's caller, so a nested list never shows another project's rows. */
export function scanLoaders(services: Services, caller: () => Caller) {
  return {
    latestScanByModel: new DataLoader<string, ScanResultRecord | null>(async (ids) =>
      onePer(ids, await services.scans.latestForModels(caller(), ids), (s) => s.modelId),
    ),
    scansByVersion: new DataLoader<string, ScanResultRecord[]>(async (ids) =>
      manyPer(ids, await services.scans.forVersions(caller(), ids), (s) => s.versionId),
    ),
    filesByScan: new DataLoader<string, ScanFileRecord[]>(async (ids) => manyPer(ids, await services.scans.filesFor(caller(), ids), (f) => f.scanResultId)),
  };
}
