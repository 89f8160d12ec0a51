import { FindingSeverity, ScanStatus } from '../../../src/domain/scanning/scan-enums';
import type { FileScanReport } from '../../../src/domain/scanning/scan-report';
import { blobVerdict, describeFindings, MAX_FINDINGS_PER_FILE, versionScanStatus } from '../../../src/domain/scanning/scan-verdict';
import { interpret } from '../../../src/scanners/clamav-scanner';

const clean: FileScanReport = { path: 'model.safetensors', format: 'safetensors', verdict: 'CLEAN', findings: [], bytesScanned: 1024, rulesVersion: 'r1' };

describe('blob verdicts fail closed', () => {
  test('clean with ClamAV clean is PASSED; without clamd SKIPPED', () => {
    expect(blobVerdict(clean, { outcome: 'CLEAN' })).toMatchObject({ status: ScanStatus.PASSED, clamav: 'CLEAN', findings: [] });
    expect(blobVerdict(clean, null)).toMatchObject({ status: ScanStatus.SKIPPED, clamav: 'SKIPPED' });
  });

  test('a file ClamAV could not scan whole is FAILED with a "not scanned by ClamAV" finding', () => {
    const v = blobVerdict(clean, { outcome: 'NOT_SCANNED', reason: 'too big' });
    expect(v.status).toBe(ScanStatus.FAILED);
    expect(v.findings).toEqual([expect.objectContaining({ scanner: 'clamav', rule: 'clamav-not-scanned', severity: FindingSeverity.HIGH, message: 'not scanned by ClamAV: too big' })]);
  });

  test('UNSCANNABLE or FINDINGS without any finding listed still fail', () => {
    for (const verdict of ['UNSCANNABLE', 'FINDINGS'] as const) {
      const v = blobVerdict({ ...clean, verdict }, { outcome: 'CLEAN' });
      expect(v.status).toBe(ScanStatus.FAILED);
      expect(v.findings).toHaveLength(1);
    }
  });

  test('LOW findings are kept as notes and pass; anything above LOW, or LOW on an unscannable file, fails', () => {
    const low = { scanner: 'source', severity: 'LOW' as const, rule: 'python-remote-code', offset: null, message: 'Python source' };
    const noted = blobVerdict({ ...clean, path: 'modeling_x.py', verdict: 'FINDINGS', findings: [low] }, { outcome: 'CLEAN' });
    expect(noted).toMatchObject({ status: ScanStatus.PASSED, findings: [expect.objectContaining({ rule: 'python-remote-code', severity: FindingSeverity.LOW })] });
    const medium = blobVerdict({ ...clean, verdict: 'FINDINGS', findings: [{ ...low, severity: 'MEDIUM' }] }, { outcome: 'CLEAN' });
    expect(medium.status).toBe(ScanStatus.FAILED);
    expect(blobVerdict({ ...clean, verdict: 'UNSCANNABLE', findings: [low] }, { outcome: 'CLEAN' }).status).toBe(ScanStatus.FAILED);
  });

  test('an unknown severity counts as CRITICAL; messages and finding counts are bounded', () => {
    const findings = Array.from({ length: 500 }, (_, i) => ({ scanner: 'pickle', severity: 'WHATEVER' as 'LOW', rule: 'r', offset: i, message: 'x'.repeat(5000) }));
    const v = blobVerdict({ ...clean, verdict: 'FINDINGS', findings }, null);
    expect(v.findings).toHaveLength(MAX_FINDINGS_PER_FILE);
    expect(v.findings[0].severity).toBe(FindingSeverity.CRITICAL);
    expect(v.findings[0].message.length).toBeLessThanOrEqual(1000);
    expect(v.findings.at(-1)).toMatchObject({ rule: 'scan-findings-truncated', message: '401 more findings not stored' });
  });

  test('a version fails if any file fails or is still unscanned; passes only with clamd and its official signatures', () => {
    expect(versionScanStatus([ScanStatus.PASSED, ScanStatus.FAILED], 'OFFICIAL')).toBe(ScanStatus.FAILED);
    expect(versionScanStatus([ScanStatus.PASSED, ScanStatus.SCANNING], 'OFFICIAL')).toBe(ScanStatus.FAILED);
    expect(versionScanStatus([ScanStatus.PASSED], 'OFFICIAL')).toBe(ScanStatus.PASSED);
    expect(versionScanStatus([ScanStatus.SKIPPED], null)).toBe(ScanStatus.SKIPPED);
    // A test-only database (EICAR only) still fails what it catches, but its clean answer proves nothing.
    expect(versionScanStatus([ScanStatus.PASSED], 'TEST_ONLY')).toBe(ScanStatus.SKIPPED);
    expect(versionScanStatus([ScanStatus.PASSED, ScanStatus.FAILED], 'TEST_ONLY')).toBe(ScanStatus.FAILED);
  });

  test('the reason names the worst findings first', () => {
    const text = describeFindings([
      { path: 'a.txt', scanner: 's', severity: FindingSeverity.LOW, rule: 'low-rule', global: null, offset: null, message: 'meh' },
      { path: 'm.bin', scanner: 'pickle', severity: FindingSeverity.CRITICAL, rule: 'pickle-dangerous-import', global: 'os.system', offset: 2, message: 'calls os.system' },
    ]);
    expect(text).toBe('m.bin: CRITICAL pickle-dangerous-import (os.system) at byte 2: calls os.system; a.txt: LOW low-rule: meh');
  });
});

describe("clamd's INSTREAM answers", () => {
  test('OK, FOUND, limits and errors', () => {
    expect(interpret('stream: OK')).toEqual({ outcome: 'CLEAN' });
    expect(interpret('stream: Eicar-Test-Signature FOUND')).toEqual({ outcome: 'INFECTED', signatures: ['Eicar-Test-Signature'] });
    expect(interpret('INSTREAM size limit exceeded. ERROR')).toMatchObject({ outcome: 'NOT_SCANNED' });
    expect(interpret('stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND')).toMatchObject({ outcome: 'NOT_SCANNED' });
    expect(() => interpret('Can\'t allocate memory ERROR')).toThrow(/clamd answered/);
    expect(() => interpret('stream: OK and more')).toThrow();
  });
});
