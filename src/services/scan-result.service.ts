import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { ValidationError } from '../domain/common/domain-error';
import { optionalText, slug, text } from '../domain/common/field-rules';
import type { ScanResultRecord } from '../domain/catalog/catalog-records';
import type { OutOfService, OutOfServiceReason } from '../domain/files/out-of-service';
import { readableCondition, readableParam } from '../domain/governance/access';
import { FindingSeverity, type ScanFinding, ScanStatus } from '../domain/scanning/scan-enums';
import { countSeverities } from '../domain/scanning/scan-verdict';
import { ScanFileResultEntity } from '../persistence/entities/scan-file-result.entity';
import type { ScanFileRecord } from '../domain/scanning/scan-enums';
import { ModelEntity } from '../persistence/entities/model.entity';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import type { ScanQuarantineService } from './scan-quarantine.service';
import { requireVersion } from './version-lookup';
import { PlainRows } from '../persistence/plain-rows';
import { relationRowsOfModels } from './plain-relation-reads';

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

/**
 * Scan outcomes as the graph reads them, narrowed in SQL to the caller's projects; `record` takes a finished result
 * from an outside scanner (no edge reaches it: tests seed scans with it). `outOfService` is the one question every
 * download path asks.
 */
export class ScanResultService implements OutOfService {
  private readonly rows: PlainRows<ScanResultRecord>;

  constructor(
    private readonly db: DataSource,
    private readonly quarantines: ScanQuarantineService,
  ) {
    this.rows = new PlainRows(db, ScanResultEntity);
  }

  /**
   * Whether a version may not be served (a failed rescan took it out of service, or its latest scan FAILED): the
   * scan's id and why, for a 451. Asked after the route checked the caller may read the version.
   */
  outOfService(versionId: string): Promise<OutOfServiceReason | null> {
    return this.quarantines.outOfService(versionId);
  }

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
          signatureDatabase: null,
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

  /** The most recent scan of each model, across its versions (plain rows: a DataLoader batch of a list). */
  latestForModels(caller: Caller, modelIds: readonly string[]): Promise<ScanResultRecord[]> {
    return relationRowsOfModels(this.db, caller, this.rows, { table: 'scan_results', alias: 's', orderBy: 's.started_at DESC, s.id DESC', distinctOnModel: true }, modelIds);
  }

  /** Every scan of the versions, newest first: rescans add rows, history is kept. */
  forVersions(caller: Caller, versionIds: readonly string[]): Promise<ScanResultRecord[]> {
    if (versionIds.length === 0) return Promise.resolve([]);
    return readable(caller, this.db.getRepository(ScanResultEntity).createQueryBuilder('s'), 's.model_id')
      .andWhere('s.version_id IN (:...versionIds)', { versionIds: [...versionIds] })
      .orderBy('s.started_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
  }

  /** Per-file results of the scans, in listing order. */
  filesFor(caller: Caller, scanResultIds: readonly string[]): Promise<ScanFileRecord[]> {
    if (scanResultIds.length === 0) return Promise.resolve([]);
    const q = this.db.getRepository(ScanFileResultEntity).createQueryBuilder('f');
    if (!caller.readsAll) q.innerJoin(ScanResultEntity, 's', 's.id = f.scan_result_id');
    return readable(caller, q, 's.model_id')
      .andWhere('f.scan_result_id IN (:...ids)', { ids: [...scanResultIds] })
      .orderBy('f.ordinal', 'ASC')
      .getMany();
  }
}

/** Keeps the rows whose model (`modelColumn`) the caller reads; no join for a caller that reads everything. */
function readable<T extends ObjectLiteral>(caller: Caller, q: SelectQueryBuilder<T>, modelColumn: string): SelectQueryBuilder<T> {
  const visible = readableCondition(caller, 'm', ':readable');
  if (visible) q.innerJoin(ModelEntity, 'm', `m.id = ${modelColumn}`).andWhere(visible, { readable: readableParam(caller) });
  return q;
}
