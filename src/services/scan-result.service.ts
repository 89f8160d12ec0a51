import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { ValidationError } from '../domain/common/domain-error';
import { optionalText, slug, text } from '../domain/common/field-rules';
import type { ScanResultRecord } from '../domain/catalog/catalog-records';
import { FindingSeverity, type ScanFinding, ScanStatus } from '../domain/scanning/scan-enums';
import { countSeverities } from '../domain/scanning/scan-verdict';
import { ScanFileResultEntity } from '../persistence/entities/scan-file-result.entity';
import type { ScanFileRecord } from '../domain/scanning/scan-enums';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import { requireVersion } from './version-lookup';

export interface RecordScanCommand {
  versionId: string;
  scanner: string;
  scannerVersion?: string | null;
  status: ScanStatus;
  findings: ScanFinding[];
  filesScanned: number;
  bytesScanned: bigint;
  startedAt: Date;
  completedAt: Date;
}

const SEVERITIES = new Set<string>(Object.values(FindingSeverity));

/** Scan outcomes as the graph reads them; `record` takes a finished result from an outside scanner. */
export class ScanResultService {
  constructor(private readonly db: DataSource) {}

  async record(command: RecordScanCommand): Promise<ScanResultRecord> {
    if (command.completedAt < command.startedAt) throw new ValidationError('completedAt', 'must not be before startedAt');
    if (command.filesScanned < 0 || command.bytesScanned < 0n) throw new ValidationError('filesScanned', 'must not be negative');
    if (command.status === ScanStatus.SCANNING) throw new ValidationError('status', 'a recorded scan must be finished');
    const findings = command.findings.map((f, i): ScanFinding => {
      if (!SEVERITIES.has(f.severity)) throw new ValidationError(`findings[${i}].severity`, 'unknown severity');
      return {
        path: text(`findings[${i}].path`, f.path, 4096, { min: 1 }),
        scanner: slug(`findings[${i}].scanner`, f.scanner, 50),
        rule: text(`findings[${i}].rule`, f.rule, 200, { min: 1 }),
        global: optionalText(`findings[${i}].global`, f.global, 500),
        severity: f.severity,
        offset: f.offset === null || (Number.isSafeInteger(f.offset) && f.offset >= 0) ? f.offset : null,
        message: text(`findings[${i}].message`, f.message, 4000),
      };
    });
    const counts = countSeverities(findings);
    return this.db.transaction(async (tx) => {
      const version = await requireVersion(tx, command.versionId);
      const repo = tx.getRepository(ScanResultEntity);
      return repo.save(
        repo.create({
          modelId: version.modelId,
          versionId: version.id,
          operationId: null,
          scanner: slug('scanner', command.scanner, 50),
          scannerVersion: optionalText('scannerVersion', command.scannerVersion, 100),
          rulesVersion: null,
          signatureVersion: null,
          status: command.status,
          findings,
          criticalCount: counts.critical,
          highCount: counts.high,
          mediumCount: counts.medium,
          lowCount: counts.low,
          filesScanned: command.filesScanned,
          filesCached: 0,
          bytesScanned: command.bytesScanned,
          startedAt: command.startedAt,
          completedAt: command.completedAt,
        }),
      );
    });
  }

  /** The most recent scan of each model, across its versions. */
  latestForModels(modelIds: readonly string[]): Promise<ScanResultRecord[]> {
    return this.db
      .getRepository(ScanResultEntity)
      .createQueryBuilder('s')
      .distinctOn(['s.model_id'])
      .where('s.model_id IN (:...modelIds)', { modelIds })
      .orderBy('s.model_id')
      .addOrderBy('s.started_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
  }

  /** Every scan of the versions, newest first: rescans add rows, history is kept. */
  forVersions(versionIds: readonly string[]): Promise<ScanResultRecord[]> {
    return this.db.getRepository(ScanResultEntity).find({
      where: { versionId: In([...versionIds]) },
      order: { startedAt: 'DESC', id: 'DESC' },
    });
  }

  /** Per-file results of the scans, in listing order. */
  filesFor(scanResultIds: readonly string[]): Promise<ScanFileRecord[]> {
    return this.db.getRepository(ScanFileResultEntity).find({ where: { scanResultId: In([...scanResultIds]) }, order: { ordinal: 'ASC' } });
  }
}
