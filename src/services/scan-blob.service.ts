import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { type DataSource, In } from 'typeorm';
import type { FormatScanner, SignatureDatabase } from '../domain/scanning/scanner-ports';
import { type BlobVerdict, blobVerdict } from '../domain/scanning/scan-verdict';
import { BlobScanEntity } from '../persistence/entities/blob-scan.entity';
import type { ClamavScanner } from '../scanners/clamav-scanner';
import type { ArtifactStore } from '../storage/artifact-store';
import { metrics } from '../observability/metrics';

export interface ScannerVersions {
  rulesVersion: string;
  /** clamd's VERSION answer; null when no clamd is configured (the ClamAV part is SKIPPED). */
  signatureVersion: string | null;
  /** What clamd's database is; a TEST_ONLY one's verdicts count as SKIPPED for the gate. Null without clamd. */
  signatureDatabase: SignatureDatabase | null;
}

export interface BlobToScan {
  sha256: string;
  size: number;
  /** The path in the version: scanners see it in messages and may use its extension as a hint. */
  path: string;
}

export interface ScannedBlob extends BlobVerdict {
  cached: boolean;
}

export interface ScanEngines {
  format: FormatScanner;
  /** Null when no clamd is configured. */
  clamav: ClamavScanner | null;
  /** The configured kind of clamd's signature database (CLAMD_SIGNATURES); null without clamd. */
  signatures: SignatureDatabase | null;
}

/**
 * Scans one stored blob with the format scanners and ClamAV, once per (sha256, rules version, signature version,
 * base name — formats without a magic number are told by name): content-addressed blobs shared by versions, or
 * rescanned with unchanged scanners, come from blob_scans.
 */
export class BlobScanService {
  /** Scans actually run (not served from the cache), for tests and logs. */
  scansRun = 0;

  constructor(
    private readonly db: DataSource,
    private readonly engines: ScanEngines,
    private readonly dirs: { scratch: string },
  ) {}

  get clamdConfigured(): boolean {
    return this.engines.clamav !== null;
  }

  async currentVersions(): Promise<ScannerVersions> {
    const clamav = this.engines.clamav;
    return {
      rulesVersion: this.engines.format.rulesVersion,
      signatureVersion: clamav ? await clamav.version() : null,
      signatureDatabase: clamav ? (this.engines.signatures ?? 'OFFICIAL') : null,
    };
  }

  /**
   * Scans the blobs, a few at once (small files are dominated by round trips, large ones by clamd, which has
   * threads to spare), reporting each as it is settled. Cached verdicts are looked up for the whole list in one query.
   */
  /** `store`: the store of the version these blobs belong to. */
  async scanAll(store: ArtifactStore, blobs: readonly BlobToScan[], versions: ScannerVersions, onEach: (blob: BlobToScan, result: ScannedBlob) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const cached = await this.cachedVerdicts(blobs, versions);
    let next = 0;
    const lane = async () => {
      while (next < blobs.length) {
        const blob = blobs[next++];
        signal?.throwIfAborted();
        const hit = cached.get(cacheKey(blob));
        if (hit) metrics.scansCached.inc();
        await onEach(blob, hit ?? (await this.scan(store, blob, versions, signal)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, blobs.length) }, lane));
  }

  async scan(store: ArtifactStore, blob: BlobToScan, versions: ScannerVersions, signal?: AbortSignal): Promise<ScannedBlob> {
    const key = { sha256: blob.sha256, rulesVersion: versions.rulesVersion, signatureVersion: versions.signatureVersion ?? '', nameKey: nameKey(blob) };
    const cached = await this.db.getRepository(BlobScanEntity).findOneBy(key);
    if (cached) return fromCache(cached);
    signal?.throwIfAborted();
    // Both scanners read the blob; run together, the second read mostly comes from the page cache.
    const [report, virus] = await Promise.all([
      this.withLocalFile(store, blob, (file) => this.engines.format.scanFile(file, blob.path)),
      this.engines.clamav ? this.engines.clamav.scan(await store.read(blob.sha256), blob.size, signal) : Promise.resolve(null),
    ]);
    this.scansRun += 1;
    const verdict = blobVerdict({ ...report, path: blob.path }, virus);
    metrics.scanVerdicts.inc({ scanner: 'clamav', verdict: verdict.clamav });
    metrics.scanVerdicts.inc({ scanner: 'format', verdict: verdict.formatVerdict });
    await this.db
      .createQueryBuilder()
      .insert()
      .into(BlobScanEntity)
      .values({ ...key, ...verdict, scannedAt: new Date() })
      .orIgnore() // a concurrent scan of the same blob stored the same verdict first
      .execute();
    return { ...verdict, cached: false };
  }

  private async cachedVerdicts(blobs: readonly BlobToScan[], versions: ScannerVersions): Promise<Map<string, ScannedBlob>> {
    if (blobs.length === 0) return new Map();
    const rows = await this.db.getRepository(BlobScanEntity).find({
      where: { sha256: In([...new Set(blobs.map((b) => b.sha256))]), rulesVersion: versions.rulesVersion, signatureVersion: versions.signatureVersion ?? '' },
    });
    return new Map(rows.map((row) => [`${row.sha256}/${row.nameKey}`, fromCache(row)]));
  }

  /**
   * The format scanners read a file by path: the blob itself in a filesystem store, else a scratch copy that
   * is streamed down and removed afterwards.
   */
  private async withLocalFile<T>(store: ArtifactStore, blob: BlobToScan, use: (file: string) => Promise<T>): Promise<T> {
    const file = store.localPath(blob.sha256);
    if (file !== null) {
      // A missing blob (quarantined, collected) is an error to retry or report, never a verdict to cache.
      const found = await stat(file).catch(() => null);
      if (!found?.isFile() || found.size !== blob.size) throw new Error(`blob ${blob.sha256} is not stored with ${blob.size} bytes`);
      return use(file);
    }
    const scratch = path.join(this.dirs.scratch, 'scan', `${blob.sha256}-${randomUUID()}`);
    await mkdir(path.dirname(scratch), { recursive: true });
    try {
      await pipeline(await store.read(blob.sha256), createWriteStream(scratch));
      return await use(scratch);
    } finally {
      await rm(scratch, { force: true });
    }
  }
}

/** Files scanned at once by one activity. */
const SCAN_CONCURRENCY = 4;

/** Lowercased base name: part of the cache key, since formats without a magic number are told by name. */
function nameKey(blob: BlobToScan): string {
  return (blob.path.split('/').pop() ?? blob.path).toLowerCase().slice(0, 255);
}

function cacheKey(blob: BlobToScan): string {
  return `${blob.sha256}/${nameKey(blob)}`;
}

function fromCache(row: BlobScanEntity): ScannedBlob {
  const { status, clamav, formatVerdict, format, findings, bytesScanned } = row;
  return { status, clamav, formatVerdict, format, findings, bytesScanned, cached: true };
}
