import type { StoreRegistry } from './store-registry';
import { type DataSource, type EntityManager, Not } from 'typeorm';
import type { ScanIds, ScanSource, ScanSummary } from '../domain/scanning/scan-inputs';
import { FindingSeverity, type ScanFinding, ScanStatus } from '../domain/scanning/scan-enums';
import { countSeverities, MAX_FINDINGS_PER_SCAN, versionScanStatus } from '../domain/scanning/scan-verdict';
import { recordScanFailed } from './events/catalogue-events';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import { OperationKind } from '../domain/onboarding/operation';
import { OperationEntity } from '../persistence/entities/operation.entity';
import { ScanFileResultEntity } from '../persistence/entities/scan-file-result.entity';
import { ScanResultEntity } from '../persistence/entities/scan-result.entity';
import { VersionFileEntity } from '../persistence/entities/version-file.entity';
import type { BlobScanService, ScannerVersions } from './scan-blob.service';
import type { ImportListingService } from './import-listing.service';
import type { OperationService } from './operation.service';
import { isUniqueViolation } from './pg-errors';
import { requireVersion } from './version-lookup';
import { counted } from '../domain/common/plural';

const INSERT_CHUNK = 1000;
const BATCH = 50;
const PROGRESS_EVERY_MS = 1000;
const SEVERITY_ORDER = [FindingSeverity.CRITICAL, FindingSeverity.HIGH, FindingSeverity.MEDIUM, FindingSeverity.LOW];

export interface ScanHooks {
  signal?: AbortSignal;
  /** Proof of life between files (an activity heartbeat). */
  onFile?: (done: number) => void;
}

/**
 * A version's scan in three idempotent steps (the workflow's activities): begin plans one row per file, scan
 * works through the rows still SCANNING (so a retried attempt resumes), finish settles the version-level result.
 * They take no caller: they are steps of a scan someone was allowed to ask for (checked by scanVersion, or the
 * import), keyed by its operation or scan row, and no edge but the workflow's activities reaches them.
 */
export class ScanRunService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobScanService,
    private readonly listings: ImportListingService,
    private readonly operations: OperationService,
    private readonly stores: StoreRegistry,
  ) {}

  /** The operation's scan, created with its plan on the first call; later calls return the same one. */
  async begin(ids: ScanIds, source: ScanSource): Promise<ScanSummary> {
    const existing = await this.db.getRepository(ScanResultEntity).findOneBy({ operationId: ids.operationId });
    if (existing) return this.summary(existing);
    // Asked outside the transaction: clamd may be slow or down (then this fails and is retried).
    const versions = await this.blobs.currentVersions();
    try {
      return await this.db.transaction((tx) => this.plan(tx, ids, source, versions));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.summary(await this.db.getRepository(ScanResultEntity).findOneByOrFail({ operationId: ids.operationId }));
    }
  }

  /** Scans every file still SCANNING, in listing order; each settled file is committed before the next. */
  async scan(scanResultId: string, hooks: ScanHooks = {}): Promise<void> {
    const scan = await this.db.getRepository(ScanResultEntity).findOneByOrFail({ id: scanResultId });
    if (scan.status !== ScanStatus.SCANNING) return;
    const versions: ScannerVersions = { rulesVersion: scan.rulesVersion ?? '', signatureVersion: scan.signatureVersion, signatureDatabase: scan.signatureDatabase };
    const progress = await this.progressReporter(scan);
    const { store } = await this.stores.forVersion(scan.versionId);
    const files = this.db.getRepository(ScanFileResultEntity);
    let done = await files.countBy({ scanResultId, status: Not(ScanStatus.SCANNING) });
    for (;;) {
      const batch = await files.find({ where: { scanResultId, status: ScanStatus.SCANNING }, order: { ordinal: 'ASC' }, take: BATCH });
      if (batch.length === 0) break;
      const byPath = new Map(batch.map((row) => [row.path, row]));
      await this.blobs.scanAll(
        store,
        batch,
        versions,
        async (blob, verdict) => {
          const row = byPath.get(blob.path)!;
          const findings: ScanFinding[] = verdict.findings.map((f) => ({ path: row.path, ...f }));
          await files.update(
            { scanResultId, path: row.path },
            { status: verdict.status, clamav: verdict.clamav, format: verdict.format, findings, bytesScanned: verdict.bytesScanned, cached: verdict.cached, scannedAt: new Date() },
          );
          done += 1;
          hooks.onFile?.(done);
          await progress(done, row.size);
        },
        hooks.signal,
      );
    }
  }

  /** Settles the version-level result from the files' (compare-and-set on SCANNING). */
  async finish(scanResultId: string): Promise<ScanSummary> {
    return this.db.transaction(async (tx) => {
      const scan = await tx.getRepository(ScanResultEntity).findOne({ where: { id: scanResultId }, lock: { mode: 'pessimistic_write' } });
      if (!scan) throw new Error(`scan ${scanResultId} does not exist`);
      if (scan.status !== ScanStatus.SCANNING) return this.summary(scan);
      const files = await tx.getRepository(ScanFileResultEntity).find({ where: { scanResultId }, order: { ordinal: 'ASC' } });
      const findings = files.flatMap((f) => f.findings);
      const counts = countSeverities(findings);
      const worstFirst = [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
      Object.assign(scan, {
        // Scans planned before signature_database existed ran against OFFICIAL databases only.
        status: versionScanStatus(
          files.map((f) => f.status),
          scan.signatureVersion === null ? null : (scan.signatureDatabase ?? 'OFFICIAL'),
        ),
        findings: worstFirst.slice(0, MAX_FINDINGS_PER_SCAN),
        criticalCount: counts.critical,
        highCount: counts.high,
        mediumCount: counts.medium,
        lowCount: counts.low,
        filesCached: files.filter((f) => f.cached).length,
        bytesScanned: BigInt(files.reduce((n, f) => n + f.bytesScanned, 0)),
        completedAt: new Date(),
      });
      await tx.save(scan);
      if ((scan.status as ScanStatus) === ScanStatus.FAILED) await recordScanFailed(tx, scan);
      return this.summary(scan);
    });
  }

  private async plan(tx: EntityManager, ids: ScanIds, source: ScanSource, versions: ScannerVersions): Promise<ScanSummary> {
    const version = await requireVersion(tx, ids.versionId);
    const manifest: ManifestEntry[] =
      source === 'IMPORT'
        ? await this.listings.manifest(ids.operationId, tx)
        : await tx.getRepository(VersionFileEntity).find({ where: { versionId: version.id }, order: { path: 'ASC' } });
    const repo = tx.getRepository(ScanResultEntity);
    const scan = await repo.save(
      repo.create({
        modelId: version.modelId,
        versionId: version.id,
        operationId: ids.operationId,
        scanner: 'modelhub',
        scannerVersion: versions.rulesVersion,
        rulesVersion: versions.rulesVersion,
        signatureVersion: versions.signatureVersion,
        signatureDatabase: versions.signatureDatabase,
        status: ScanStatus.SCANNING,
        findings: [],
        filesScanned: manifest.length,
        bytesScanned: 0n,
        startedAt: new Date(),
        completedAt: null,
      }),
    );
    const rows = manifest.map((f, ordinal) => ({
      scanResultId: scan.id, ordinal, path: f.path, sha256: f.sha256, size: f.size, format: null, status: ScanStatus.SCANNING,
      clamav: null, findings: [], bytesScanned: 0, cached: false, scannedAt: null,
    }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.getRepository(ScanFileResultEntity).insert(rows.slice(i, i + INSERT_CHUNK));
    await this.operations.update(ids.operationId, { currentStep: 'scanning', message: `scanning ${counted(manifest.length, 'file')}` }, tx);
    return this.summary(scan);
  }

  /** Operation progress, at most once a second: files done for an import, files and bytes for a rescan. */
  private async progressReporter(scan: ScanResultEntity): Promise<(done: number, size: number) => Promise<void>> {
    const operation = scan.operationId ? await this.db.getRepository(OperationEntity).findOneBy({ id: scan.operationId }) : null;
    const [sums] = (await this.db.query(
      `SELECT coalesce(sum(size), 0)::bigint AS total, coalesce(sum(size) FILTER (WHERE status <> 'SCANNING'), 0)::bigint AS done
       FROM scan_file_results WHERE scan_result_id = $1`,
      [scan.id],
    )) as { total: string; done: string }[];
    const total = Number(sums.total);
    let bytes = Number(sums.done);
    let last = 0;
    return async (done, size) => {
      bytes += size;
      if (!operation || (Date.now() - last < PROGRESS_EVERY_MS && done < scan.filesScanned)) return;
      last = Date.now();
      const message = `scanned ${done} of ${counted(scan.filesScanned, 'file')}`;
      const ofBytes = operation.kind === OperationKind.SCAN && total ? { progress: bytes / total, bytesDone: BigInt(bytes), bytesTotal: BigInt(total) } : {};
      await this.operations.update(operation.id, { currentStep: 'scanning', message, ...ofBytes });
    };
  }

  private summary(scan: ScanResultEntity): ScanSummary {
    return { scanResultId: scan.id, status: scan.status, files: scan.filesScanned, findings: scan.criticalCount + scan.highCount + scan.mediumCount + scan.lowCount };
  }
}
