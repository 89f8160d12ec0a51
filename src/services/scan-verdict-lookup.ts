import type { EntityManager } from 'typeorm';
import { ScanStatus } from '../domain/scanning/scan-enums';
import { describeFindings, scanAllowsVerification } from '../domain/scanning/scan-verdict';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';

/**
 * Why an import's scan stops its version from being VERIFIED: nothing when the operation's scan PASSED (or was
 * SKIPPED: no clamd, format scanners clean), else one problem naming the findings. Read inside the settling
 * transaction, so the verdict and the lifecycle move agree.
 */
export async function scanProblems(tx: EntityManager, operationId: string): Promise<string[]> {
  const scan = await tx.getRepository(ScanResultEntity).findOneBy({ operationId });
  if (!scan) return ['security scan: the files were not scanned'];
  if (scan.status === ScanStatus.SCANNING) return ['security scan: the scan did not finish'];
  if (scanAllowsVerification(scan.status)) return [];
  const counts = `${scan.criticalCount} critical, ${scan.highCount} high, ${scan.mediumCount} medium, ${scan.lowCount} low`;
  return [`security scan FAILED (${counts}): ${describeFindings(scan.findings)}`];
}
