import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { Services } from '../../services/services';
import type { StorageUsage } from '../../services/storage-usage.service';
import { onePer } from '../loader-helpers';

/** Where versions live and how much stores hold: one query per batch, read as the request's caller. */
export function storeLoaders(services: Services, caller: () => Caller) {
  return {
    versionStore: new DataLoader<string, { versionId: string; storeId: string; storeName: string } | null>(async (ids) =>
      onePer(ids, await services.storeAdmin.versionStores(caller(), ids), (row) => row.versionId),
    ),
    // Keys are stores the resolver already let the caller see (Store objects it was given).
    storeUsage: new DataLoader<string, StorageUsage>(async (ids) => {
      const usage = await services.storageUsage.ofStores(ids);
      return ids.map((id) => usage.get(id) ?? { usedBytes: 0n, blobs: 0 });
    }),
  };
}
