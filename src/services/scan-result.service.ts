import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { ValidationError } from '../domain/common/domain-error';
import { optionalText, slug, text } from '../domain/common/field-rules';
import type { ScanResultRecord } from '../domain/catalog/catalog-records';
import type { ScanFinding, ScanStatus } from '../domain/scanning/scan-enums';
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

/** Scan outcomes; written by the scanning workflows, read through the graph. */
export class ScanResultService {
  constructor(private readonly db: DataSource) {}

  async record(command: RecordScanCommand): Promise<ScanResultRecord> {
    if (command.completedAt < command.startedAt) throw new ValidationError('completedAt', 'must not be before startedAt');
    if (command.filesScanned < 0 || command.bytesScanned < 0n) throw new ValidationError('filesScanned', 'must not be negative');
    const findings = command.findings.map((f, i) => ({
      path: text(`findings[${i}].path`, f.path, 4096, { min: 1 }),
      rule: text(`findings[${i}].rule`, f.rule, 200, { min: 1 }),
      severity: f.severity,
      detail: optionalText(`findings[${i}].detail`, f.detail, 4000),
    }));
    return this.db.transaction(async (tx) => {
      const version = await requireVersion(tx, command.versionId);
      const repo = tx.getRepository(ScanResultEntity);
      return repo.save(
        repo.create({
          modelId: version.modelId,
          versionId: version.id,
          scanner: slug('scanner', command.scanner, 50),
          scannerVersion: optionalText('scannerVersion', command.scannerVersion, 100),
          status: command.status,
          findings,
          filesScanned: command.filesScanned,
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
      .addOrderBy('s.completed_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
  }

  forVersions(versionIds: readonly string[]): Promise<ScanResultRecord[]> {
    return this.db.getRepository(ScanResultEntity).find({
      where: { versionId: In([...versionIds]) },
      order: { completedAt: 'DESC', id: 'DESC' },
    });
  }
}
