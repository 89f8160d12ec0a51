import DataLoader from 'dataloader';
import type { LicenseRecord } from '../../domain/catalog/catalog-records';
import type { Services } from '../../services/services';
import { onePer } from '../loader-helpers';

export function licenseLoaders(services: Services) {
  return {
    licenseById: new DataLoader<string, LicenseRecord | null>(async (ids) =>
      onePer(ids, await services.licenses.byIds(ids), (l) => l.id),
    ),
  };
}
