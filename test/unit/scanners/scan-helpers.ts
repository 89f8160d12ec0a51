import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FileScanReport, type ScanLimits, scanFile } from '../../../src/scanners';

/** Real files in a temporary folder, scanned by path as the scan service does. */
export function scanDir(): { scan(name: string, bytes: Buffer, limits?: Partial<ScanLimits>): Promise<FileScanReport>; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'scan-test-'));
  return {
    path: (name) => join(dir, name),
    scan: async (name, bytes, limits = {}) => {
      const file = join(dir, name.replace(/\//g, '_'));
      writeFileSync(file, bytes);
      return scanFile(file, { ...limits, name });
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function rules(report: FileScanReport): string[] {
  return report.findings.map((f) => f.rule);
}

export function globals(report: FileScanReport): string[] {
  return report.findings.flatMap((f) => (f.global ? [f.global] : []));
}
