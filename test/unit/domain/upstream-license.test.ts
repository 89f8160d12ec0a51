import { DEFAULT_USAGE, type LicenseFacts, LicenseOutcome, ReasonSeverity } from '../../../src/domain/governance/license-check';
import { sameLicense, withUpstreamLicense } from '../../../src/domain/licensing/upstream-license';
import { RequestPacer } from '../../../src/net/request-pacer';

const facts = (id: string, commercialUse: boolean): LicenseFacts => ({
  id, name: id, url: null, category: commercialUse ? 'PERMISSIVE' : 'NON_COMMERCIAL', commercialUse, derivatives: true, attributionRequired: false,
  monthlyActiveUsersLimit: null, apiOnly: false, researchOnly: false, notes: null,
});
const allowed = { outcome: LicenseOutcome.ALLOWED, licenseId: 'Apache-2.0', reasons: [] };

test('hub tags and catalogue ids name the same licence whatever the case', () => {
  expect(sameLicense('apache-2.0', 'Apache-2.0')).toBe(true);
  expect(sameLicense('cc-by-nc-4.0', 'Apache-2.0')).toBe(false);
  expect(sameLicense(null, null)).toBe(true);
  expect(sameLicense('mit', null)).toBe(false);
});

test('what the upstream terms block for the usage blocks; the declared verdict stands otherwise', () => {
  const nc = { tag: 'cc-by-nc-4.0', facts: facts('CC-BY-NC-4.0', false) };
  const commercial = withUpstreamLicense(allowed, 'Apache-2.0', nc, DEFAULT_USAGE);
  expect(commercial.outcome).toBe(LicenseOutcome.BLOCKED);
  expect(commercial.reasons).toContainEqual(expect.objectContaining({ code: 'upstream-non-commercial', severity: ReasonSeverity.BLOCK, message: expect.stringContaining('upstream now licenses it under CC-BY-NC-4.0') }));
  const research = withUpstreamLicense(allowed, 'Apache-2.0', nc, { ...DEFAULT_USAGE, commercial: false });
  expect(research.outcome).toBe(LicenseOutcome.ALLOWED);
  expect(research.reasons.map((r) => r.code)).toEqual(['upstream-license']);
  expect(withUpstreamLicense(allowed, 'Apache-2.0', { tag: 'apache-2.0', facts: facts('Apache-2.0', true) }, DEFAULT_USAGE)).toBe(allowed);
  expect(withUpstreamLicense(allowed, 'Apache-2.0', { tag: 'other', facts: null }, DEFAULT_USAGE).reasons.map((r) => r.code)).toEqual(['upstream-license', 'upstream-license-unknown']);
});

test('the pacer spaces requests across concurrent callers', async () => {
  const pacer = new RequestPacer(20); // 50 ms apart
  const started = Date.now();
  const at: number[] = [];
  await Promise.all(Array.from({ length: 4 }, async () => { await pacer.take(); at.push(Date.now() - started); }));
  expect(at.sort((a, b) => a - b)[3]).toBeGreaterThanOrEqual(140);
  expect(at[0]).toBeLessThan(40);
});
