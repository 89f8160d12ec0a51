import { PolicyViolationError } from '../common/domain-error';
import type { LicenseRestrictions } from '../catalog/model-draft';

export interface LicenseTerms {
  id: string;
  commercialUse: boolean;
  derivatives: boolean;
  attributionRequired: boolean;
  monthlyActiveUsersLimit: bigint | null;
  notes: string | null;
}

/** A model registered without explicit restrictions inherits its license's terms. */
export function restrictionsFromLicense(license: LicenseTerms): LicenseRestrictions {
  return {
    commercialUse: license.commercialUse,
    derivatives: license.derivatives,
    attributionRequired: license.attributionRequired,
    monthlyActiveUsersLimit: license.monthlyActiveUsersLimit,
    notes: license.notes,
  };
}

/** Application teams must know the terms of anything published to them. */
export function assertPublishable(licenseId: string | null): void {
  if (!licenseId) {
    throw new PolicyViolationError('A model needs a license before it can be published', { rule: 'license-required' });
  }
}
