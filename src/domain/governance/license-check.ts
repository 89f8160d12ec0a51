import { ValidationError } from '../common/domain-error';
import type { LicenseRestrictions } from '../catalog/model-draft';

export enum LicenseOutcome {
  ALLOWED = 'ALLOWED',
  WARN = 'WARN',
  BLOCKED = 'BLOCKED',
}

export enum ReasonSeverity {
  INFO = 'INFO',
  WARN = 'WARN',
  BLOCK = 'BLOCK',
}

/** How a deployment means to use a model; what the license is checked against. */
export interface LicenseUsage {
  commercial: boolean;
  derivatives: boolean;
  monthlyActiveUsers: bigint;
  /** Reached only through a hosted API of the licensor, never self-hosted weights. */
  apiOnly: boolean;
  /** Weights (or derivatives) handed to third parties. */
  distribution: boolean;
}

/** The catalog's facts about a license (licenses table). */
export interface LicenseFacts {
  id: string;
  name: string;
  url: string | null;
  category: string;
  commercialUse: boolean;
  derivatives: boolean;
  attributionRequired: boolean;
  monthlyActiveUsersLimit: bigint | null;
  apiOnly: boolean;
  researchOnly: boolean;
  notes: string | null;
}

export interface LicenseReason {
  code: string;
  severity: ReasonSeverity;
  message: string;
}

export interface LicenseVerdict {
  outcome: LicenseOutcome;
  licenseId: string | null;
  reasons: LicenseReason[];
}

/** More than every person alive: a bound, so a typo of many digits is refused rather than compared. */
const MAX_MAU = 100_000_000_000n;

export function validateUsage(usage: LicenseUsage): LicenseUsage {
  if (usage.monthlyActiveUsers < 0n || usage.monthlyActiveUsers > MAX_MAU) throw new ValidationError('usage.monthlyActiveUsers', `must be between 0 and ${MAX_MAU}`);
  return usage;
}

/** Categories whose terms carry use-based restrictions that pass on to whoever deploys the model. */
const USE_RESTRICTED = new Set(['COMMUNITY', 'RESPONSIBLE_AI']);

function reason(code: string, severity: ReasonSeverity, message: string): LicenseReason {
  return { code, severity, message };
}

function usageReasons(license: LicenseFacts, restrictions: LicenseRestrictions | null, usage: LicenseUsage): LicenseReason[] {
  const commercial = restrictions?.commercialUse ?? license.commercialUse;
  const derivatives = restrictions?.derivatives ?? license.derivatives;
  const attribution = restrictions?.attributionRequired ?? license.attributionRequired;
  const mauLimit = restrictions?.monthlyActiveUsersLimit ?? license.monthlyActiveUsersLimit;
  const out: LicenseReason[] = [];
  const B = ReasonSeverity.BLOCK;
  if (license.researchOnly) {
    out.push(usage.commercial ? reason('research-only', B, `${license.id} allows research and non-production use only`) : reason('research-only', ReasonSeverity.WARN, `${license.id} allows research and non-production use only; no production deployment`));
  } else if (usage.commercial && !commercial) {
    out.push(reason('non-commercial', B, `${license.id} (with this model's restrictions) does not allow commercial use`));
  }
  if (usage.derivatives && !derivatives) out.push(reason('no-derivatives', B, `${license.id} does not allow derivative models`));
  if (license.apiOnly && !usage.apiOnly) out.push(reason('api-only', B, `${license.id} allows use only through the licensor's hosted API, not self-hosted weights`));
  if (usage.distribution && (license.apiOnly || license.category === 'PROPRIETARY')) out.push(reason('no-distribution', B, `${license.id} does not allow distributing the model`));
  else if (usage.distribution && license.category === 'COPYLEFT') out.push(reason('share-alike', ReasonSeverity.WARN, `${license.id}: distributed derivatives must use the same license`));
  if (mauLimit !== null) {
    out.push(
      usage.monthlyActiveUsers > mauLimit
        ? reason('mau-limit', B, `${license.id} needs a separate license above ${mauLimit} monthly active users (declared ${usage.monthlyActiveUsers})`)
        : reason('mau-limit', ReasonSeverity.INFO, `within the ${mauLimit} monthly active users limit of ${license.id}`),
    );
  }
  if (USE_RESTRICTED.has(license.category)) out.push(reason('use-restrictions', ReasonSeverity.WARN, `${license.id} has an acceptable-use policy that binds the deployment${license.notes ? `: ${license.notes}` : ''}`));
  if (license.category === 'PROPRIETARY' && !license.apiOnly) out.push(reason('separate-agreement', ReasonSeverity.WARN, `${license.id}: terms are set by a separate agreement; check it covers this use`));
  if (attribution) out.push(reason('attribution', ReasonSeverity.INFO, `${license.id} requires attribution${license.notes ? ` (${license.notes})` : ''}`));
  return out;
}

/** ALLOWED, WARN (needs an acknowledgment before publishing) or BLOCKED, with every reason found. */
export function checkLicense(license: LicenseFacts | null, restrictions: LicenseRestrictions | null, usage: LicenseUsage): LicenseVerdict {
  if (!license) {
    return { outcome: LicenseOutcome.BLOCKED, licenseId: null, reasons: [reason('no-license', ReasonSeverity.BLOCK, 'the model declares no license; nobody can know its terms')] };
  }
  const reasons = usageReasons(license, restrictions, validateUsage(usage));
  const outcome = reasons.some((r) => r.severity === ReasonSeverity.BLOCK)
    ? LicenseOutcome.BLOCKED
    : reasons.some((r) => r.severity === ReasonSeverity.WARN)
      ? LicenseOutcome.WARN
      : LicenseOutcome.ALLOWED;
  return { outcome, licenseId: license.id, reasons };
}

/**
 * The text an acknowledgment is bound to: the license's terms as the catalog states them and the model's own
 * restrictions, in a fixed key order. Any change to either makes a different text (and hash), so an old
 * acknowledgment no longer counts.
 */
export function licenseText(license: LicenseFacts, restrictions: LicenseRestrictions | null): string {
  return JSON.stringify({
    license: [license.id, license.name, license.url, license.category, license.commercialUse, license.derivatives, license.attributionRequired, license.monthlyActiveUsersLimit?.toString() ?? null, license.apiOnly, license.researchOnly, license.notes],
    restrictions: restrictions
      ? [restrictions.commercialUse, restrictions.derivatives, restrictions.attributionRequired, restrictions.monthlyActiveUsersLimit?.toString() ?? null, restrictions.notes]
      : null,
  });
}

export function usageText(usage: LicenseUsage): string {
  return JSON.stringify([usage.commercial, usage.derivatives, usage.monthlyActiveUsers.toString(), usage.apiOnly, usage.distribution]);
}

/** What a request that names no usage is checked for: internal commercial use, no derivatives, no distribution. */
export const DEFAULT_USAGE: LicenseUsage = Object.freeze({ commercial: true, derivatives: false, monthlyActiveUsers: 0n, apiOnly: false, distribution: false });
