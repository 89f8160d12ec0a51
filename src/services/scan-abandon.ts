import type { EntityManager } from 'typeorm';
import { FindingSeverity, type ScanFinding, ScanStatus } from '../domain/scanning/scan-enums';
import { ScanFileResultEntity } from '../persistence/entities/scan-file-result.entity';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';

/**
 * Ends an operation's scan that is still SCANNING (its import or rescan failed, was cancelled or its workflow
 * vanished): FAILED, never left open and never clean, with the reason as a finding. Runs inside the caller's
 * settling transaction, so it happens exactly when the operation is settled.
 */
export async function abandonScans(tx: EntityManager, operationId: string, reason: string): Promise<void> {
  const scans = await tx.getRepository(ScanResultEntity).find({ where: { operationId, status: ScanStatus.SCANNING }, lock: { mode: 'pessimistic_write' } });
  for (const scan of scans) {
    const finding: ScanFinding = {
      path: '',
      scanner: 'scan',
      severity: FindingSeverity.HIGH,
      rule: 'scan-incomplete',
      global: null,
      offset: null,
      message: `the scan did not complete: ${reason.slice(0, 500)}`,
    };
    await tx
      .getRepository(ScanFileResultEntity)
      .update({ scanResultId: scan.id, status: ScanStatus.SCANNING }, { status: ScanStatus.FAILED, findings: [{ ...finding }], scannedAt: new Date() });
    Object.assign(scan, { status: ScanStatus.FAILED, findings: [finding, ...scan.findings].slice(0, 200), highCount: scan.highCount + 1, completedAt: new Date() });
    await tx.save(scan);
  }
}
