import { checkLicense, type LicenseFacts, LicenseOutcome, type LicenseUsage, type LicenseVerdict, ReasonSeverity } from '../governance/license-check';
import { licenseIdFromHubTag } from './hub-license';

/** The licence an upstream card names now, after it changed from the one the model was imported with. */
export interface UpstreamLicense {
  /** The card's tag as the hub gave it (apache-2.0, cc-by-nc-4.0, other). */
  tag: string;
  /** The catalogue's facts for it; null when the catalogue does not know it. */
  facts: LicenseFacts | null;
}

/** Whether two names (hub tags or catalogue ids) are the same licence: hub tags map to catalogue ids first. */
export function sameLicense(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return licenseIdFromHubTag(a).toLowerCase() === licenseIdFromHubTag(b).toLowerCase();
}

/**
 * The declared licence's verdict, weighed with a changed upstream licence: what the upstream terms BLOCK for this
 * usage blocks here too (new bytes and new requests are taken under the new terms); their warnings only inform,
 * since an acknowledgment binds to the declared licence's text.
 */
export function withUpstreamLicense(verdict: LicenseVerdict, declared: string | null, upstream: UpstreamLicense | null, usage: LicenseUsage): LicenseVerdict {
  if (!upstream || sameLicense(upstream.tag, declared)) return verdict;
  const named = upstream.facts?.id ?? upstream.tag;
  const reasons = [...verdict.reasons, { code: 'upstream-license', severity: ReasonSeverity.INFO, message: `the upstream model card now names ${named} (the model declares ${declared ?? 'none'})` }];
  if (!upstream.facts) return { ...verdict, reasons: [...reasons, { code: 'upstream-license-unknown', severity: ReasonSeverity.INFO, message: `${upstream.tag} is not in the licence catalogue; map it by hand` }] };
  const blocks = checkLicense(upstream.facts, null, usage).reasons.filter((r) => r.severity === ReasonSeverity.BLOCK);
  if (blocks.length === 0) return { ...verdict, reasons };
  return {
    ...verdict,
    outcome: LicenseOutcome.BLOCKED,
    reasons: [...reasons, ...blocks.map((r) => ({ code: `upstream-${r.code}`, severity: ReasonSeverity.BLOCK, message: `upstream now licenses it under ${named}: ${r.message}` }))],
  };
}
