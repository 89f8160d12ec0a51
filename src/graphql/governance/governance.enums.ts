import { registerEnumType } from 'type-graphql';
import { LicenseOutcome, ReasonSeverity } from '../../domain/governance/license-check';
import { Gate, UpstreamChanges } from '../../domain/governance/promotion-policy';
import { PromotionState } from '../../domain/governance/promotion-request';

registerEnumType(PromotionState, { name: 'PromotionState', description: 'OPEN until approved (and applied), rejected or withdrawn.' });
registerEnumType(Gate, {
  name: 'PromotionGate',
  description: 'A check a promotion is held to; which ones apply to which target is the project policy.',
  valuesConfig: {
    CHECKSUMS_VERIFIED: { description: 'Every file stored with its verified sha256.' },
    SCAN_PASSED: { description: 'The latest security scan PASSED (or SKIPPED where the policy allows it).' },
    EVALUATION_EVIDENCE: { description: 'At least one evaluation or benchmark of the version.' },
    APPROVALS: { description: 'Enough approvals from approvers other than the requester.' },
    LICENSE_ALLOWED: { description: 'The license check does not BLOCK the declared usage.' },
    LICENSE_ACKNOWLEDGED: { description: 'Where the license check warns, an acknowledgment of the current license text for this usage.' },
    SIGNATURE_VALID: { description: "The version's files carried an upstream model.sig that verified against them (every target holds it while the project's requireSignature is on)." },
  },
});
registerEnumType(UpstreamChanges, {
  name: 'UpstreamChanges',
  description: "A project's answer to a new commit on a Hugging Face model's tracked ref (an `upstream.changed` event goes out either way).",
  valuesConfig: {
    PROPOSE: { description: 'A DRAFT version pointing at the new commit; submitVersion imports it (the default).' },
    IMPORT: { description: 'The new commit is imported at once as a new version, verified and scanned like any import.' },
  },
});
registerEnumType(LicenseOutcome, { name: 'LicenseOutcome' });
registerEnumType(ReasonSeverity, { name: 'LicenseReasonSeverity' });

export { Gate, LicenseOutcome, PromotionState, ReasonSeverity, UpstreamChanges };
