import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { ForbiddenError } from '../domain/common/domain-error';
import type { BlobGcReport } from '../domain/storage/blob-gc';
import { OperationKind, OperationStatus } from '../domain/onboarding/operation';
import type { ArtifactStore, BlobInfo } from '../storage/artifact-store';
import { cleanStaging, type StagingCleanReport } from '../storage/staging-cleaner';

export type { BlobGcReport };

export interface BlobGcRequest {
  graceMs: number;
  /** Called after every batch, with the report so far (the activity's heartbeat). */
  onProgress?: (report: BlobGcReport) => void;
  signal?: AbortSignal;
}

const BATCH = 500;

/** The store and the staging folders hold every project's bytes: only ModelHub itself collects them. */
function requireSystem(caller: Caller): void {
  if (caller.kind !== 'system') throw new ForbiddenError('Collecting blobs is work ModelHub does on its own');
}

/**
 * Removes blobs nothing refers to: no version's manifest (version_files) and no live import's listing
 * (import_files of a PENDING or RUNNING operation). A blob is kept for `graceMs` after it was last written or
 * reused — adopting a file already stored refreshes it — which covers the moment between an import storing a
 * blob and recording it. Memory stays at one batch of candidates whatever the store's size.
 */
export class BlobGcService {
  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
  ) {}

  async collect(caller: Caller, request: BlobGcRequest): Promise<BlobGcReport> {
    requireSystem(caller);
    const report: BlobGcReport = { scanned: 0, referenced: 0, young: 0, deleted: 0, bytesFreed: 0 };
    const cutoff = () => Date.now() - request.graceMs;
    let batch: BlobInfo[] = [];
    const flush = async () => {
      const candidates = batch;
      batch = [];
      const referenced = await this.referenced(candidates.map((blob) => blob.sha256));
      for (const blob of candidates) {
        request.signal?.throwIfAborted();
        if (referenced.has(blob.sha256)) {
          report.referenced += 1;
          continue;
        }
        // Looked at again just before deleting: an import may have reused it since the listing.
        const now = await this.store.statBlob(blob.sha256);
        if (!now) continue;
        if (now.modifiedAt.getTime() > cutoff()) {
          report.young += 1;
          continue;
        }
        await this.store.deleteBlob(blob.sha256);
        report.deleted += 1;
        report.bytesFreed += now.size;
      }
      request.onProgress?.({ ...report });
    };
    for await (const blob of this.store.listBlobs()) {
      request.signal?.throwIfAborted();
      report.scanned += 1;
      if (blob.modifiedAt.getTime() > cutoff()) {
        report.young += 1;
        continue;
      }
      batch.push(blob);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return report;
  }

  /** Which of these digests a manifest or a live import still names: one round trip per batch. */
  private async referenced(digests: string[]): Promise<Set<string>> {
    if (digests.length === 0) return new Set();
    // A live import's expected digest counts too: it may be storing that very blob right now.
    const rows: { sha256: string | null }[] = await this.db.query(
      `SELECT sha256 FROM version_files WHERE sha256 = ANY($1)
       UNION
       SELECT unnest(ARRAY[f.sha256, f.expected_sha256]) FROM operations o JOIN import_files f ON f.operation_id = o.id
        WHERE o.status IN ($2, $3) AND (f.sha256 = ANY($1) OR f.expected_sha256 = ANY($1))`,
      [digests, OperationStatus.PENDING, OperationStatus.RUNNING],
    );
    return new Set(rows.flatMap((row) => (row.sha256 ? [row.sha256.toLowerCase()] : [])));
  }

  /** This host's staging folder: dead attempts' partial files, except those of a version whose import is live. */
  cleanStaging(caller: Caller, stagingDir: string, graceMs: number): Promise<StagingCleanReport> {
    requireSystem(caller);
    return cleanStaging(stagingDir, {
      graceMs,
      keepFolder: async (versionId) => {
        if (!/^[0-9a-f-]{36}$/i.test(versionId)) return false;
        const live: unknown[] = await this.db.query(
          `SELECT 1 FROM operations WHERE version_id = $1 AND kind = $4 AND status IN ($2, $3) LIMIT 1`,
          [versionId, OperationStatus.PENDING, OperationStatus.RUNNING, OperationKind.IMPORT],
        );
        return live.length > 0;
      },
    });
  }
}
