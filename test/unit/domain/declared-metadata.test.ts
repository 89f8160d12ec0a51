import { mergeDeclared, requireDeclarationsEditable } from '../../../src/domain/catalog/declared-metadata';
import { Provenance } from '../../../src/domain/catalog/catalog-enums';
import { gateRemedy } from '../../../src/domain/governance/gate-remedies';
import { LicenseOutcome } from '../../../src/domain/governance/license-check';
import type { PromotionEvidence } from '../../../src/domain/governance/gates';
import { Gate, type TargetPolicy } from '../../../src/domain/governance/promotion-policy';
import { LifecycleStage as S } from '../../../src/domain/lifecycle/lifecycle-stage';
import { ScanStatus } from '../../../src/domain/scanning/scan-enums';

describe('declared metadata', () => {
  test('editable while never verified: a DRAFT, or NEEDS_ATTENTION from its own import', () => {
    expect(() => requireDeclarationsEditable('1.0.0', S.DRAFT, [S.DRAFT])).not.toThrow();
    expect(() => requireDeclarationsEditable('1.0.0', S.NEEDS_ATTENTION, [S.DRAFT, S.INGESTING, S.NEEDS_ATTENTION])).not.toThrow();
  });

  test('a verified version, even one a failed rescan took out of service, is immutable; so is one being imported', () => {
    expect(() => requireDeclarationsEditable('1.0.0', S.VERIFIED, [])).toThrow(/VERIFIED against them \(it is VERIFIED\)/);
    expect(() => requireDeclarationsEditable('1.0.0', S.NEEDS_ATTENTION, [S.INGESTING, S.VERIFIED, S.NEEDS_ATTENTION])).toThrow(/before a failed rescan/);
    expect(() => requireDeclarationsEditable('1.0.0', S.INGESTING, [])).toThrow(/being imported/);
    expect(() => requireDeclarationsEditable('1.0.0', S.ARCHIVED, [])).toThrow(/ARCHIVED/);
  });

  test('an omitted field is kept, null clears, values are validated like the model fields', () => {
    const before = { architecture: 'Llama', parameterCount: '5000', contextLength: 8, license: 'MIT' };
    expect(mergeDeclared(before, { parameterCount: 1176n, license: null })).toEqual({ architecture: 'Llama', parameterCount: '1176', contextLength: 8, license: null });
    expect(mergeDeclared(null, { contextLength: 4096 })).toEqual({ architecture: null, parameterCount: null, contextLength: 4096, license: null });
    expect(() => mergeDeclared(null, { contextLength: 0 })).toThrow(/contextLength/);
  });
});

describe('gate remedies', () => {
  const policy: TargetPolicy = { target: S.EVALUATED, gates: [], requiredApprovals: 0, allowSkippedScan: false, evidenceProvenances: [Provenance.MEASURED] };
  const evidence: PromotionEvidence = {
    version: '1.0.0', filesComplete: true, fileCount: 1, scan: { id: 's', status: ScanStatus.SKIPPED }, evaluations: 0, benchmarks: 0, selfRecorded: 0,
    usage: { commercial: false, derivatives: false, monthlyActiveUsers: 0n, apiOnly: false, distribution: false },
    license: { outcome: LicenseOutcome.BLOCKED, licenseId: null, reasons: [] }, licenseAcknowledged: false, approvers: [],
  };

  test('each names the mutation or setting that satisfies it', () => {
    expect(gateRemedy(Gate.SCAN_PASSED, evidence, policy)).toMatch(/CLAMD_HOST.*scanVersion.*allowSkippedScan/);
    expect(gateRemedy(Gate.EVALUATION_EVIDENCE, evidence, policy)).toMatch(/runEvaluation or runBenchmark \(MEASURED\).*does not count RECORDED or REPORTED/);
    expect(gateRemedy(Gate.LICENSE_ALLOWED, evidence, policy)).toMatch(/updateModel\(id, input: \{ license \}\)/);
    expect(gateRemedy(Gate.APPROVALS, evidence, policy)).toMatch(/approvePromotion/);
    expect(gateRemedy(Gate.LICENSE_ACKNOWLEDGED, evidence, policy)).toMatch(/acknowledgeLicense/);
  });
});
