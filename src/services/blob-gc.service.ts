import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { ForbiddenError } from '../domain/common/domain-error';
import type { BlobGcReport } from '../domain/storage/blob-gc';
import { OperationKind, OperationStatus } from '../domain/onboarding/operation';
import type { ArtifactStore, BlobInfo } from '../storage/artifact-store';
import type { StoreRegistry } from './store-registry';
import { DEFAULT_STORE_ID } from '../domain/storage/store';
import { unavailability } from '../storage/unavailable-store';
import { cleanStaging, type StagingCleanReport } from '../storage/staging-cleaner';

export type { BlobGcReport };

export interface BlobGcRequest {
  graceMs: number;
  /** Only this store; absent, every registered store in turn. */
  storeId?: string;
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
    private readonly stores: StoreRegistry,
  ) {}

  /** Every store in turn (or the one asked for), each against its own versions: the dedupe is per store. */
  async collect(caller: Caller, request: BlobGcRequest): Promise<BlobGcReport> {
    requireSystem(caller);
    const report: BlobGcReport = { scanned: 0, referenced: 0, young: 0, deleted: 0, bytesFreed: 0 };
    const stores = request.storeId ? [await this.stores.byId(request.storeId)] : await this.stores.all();
    for (const { id, store } of stores) {
      try {
        await this.collectStore(id, store, request, report);
      } catch (error) {
        // A project's store that is away is collected on a later pass; the others are not held up by it.
        if (request.storeId || id === DEFAULT_STORE_ID || unavailability(error) === null) throw error;
      }
    }
    return report;
  }

  private async collectStore(storeId: string, store: ArtifactStore, request: BlobGcRequest, report: BlobGcReport): Promise<void> {
    const cutoff = () => Date.now() - request.graceMs;
    let batch: BlobInfo[] = [];
    const flush = async () => {
      const candidates = batch;
      batch = [];
      const referenced = await this.referenced(storeId, candidates.map((blob) => blob.sha256), request.graceMs);
      for (const blob of candidates) {
        request.signal?.throwIfAborted();
        if (referenced.has(blob.sha256)) {
          report.referenced += 1;
          continue;
        }
        // Looked at again just before deleting: an import may have reused it since the listing.
        const now = await store.statBlob(blob.sha256);
        if (!now) continue;
        if (now.modifiedAt.getTime() > cutoff()) {
          report.young += 1;
          continue;
        }
        await store.deleteBlob(blob.sha256);
        report.deleted += 1;
        report.bytesFreed += now.size;
      }
      request.onProgress?.({ ...report });
    };
    for await (const blob of store.listBlobs()) {
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
  }

  /**
   * Which of these digests this store must keep, one round trip per batch: a manifest of a version in it, or of one
   * moved out of it within the grace period (a download that started before the switch still reads here), a live
   * import into this store (its expected digest too: it may be storing that very blob right now) or a live move
   * into it (copying). An import stores into its version's store, and a version under import cannot be moved.
   */
  private async referenced(storeId: string, digests: string[], graceMs: number): Promise<Set<string>> {
    if (digests.length === 0) return new Set();
    const rows: { sha256: string | null }[] = await this.db.query(
      `SELECT f.sha256 FROM version_files f JOIN model_versions v ON v.id = f.version_id
        WHERE f.sha256 = ANY($1) AND (v.store_id = $4 OR (v.previous_store_id = $4 AND v.store_switched_at > now() - make_interval(secs => $5)))
       UNION
       SELECT sha256 FROM version_signatures WHERE sha256 = ANY($1)
       UNION
       SELECT unnest(ARRAY[f.sha256, f.expected_sha256]) FROM operations o JOIN import_files f ON f.operation_id = o.id
         JOIN model_versions iv ON iv.id = o.version_id AND iv.store_id = $4
        WHERE o.status IN ($2, $3) AND (f.sha256 = ANY($1) OR f.expected_sha256 = ANY($1))
       UNION
       SELECT f.sha256 FROM operations o JOIN version_files f ON f.version_id = o.version_id
        WHERE o.kind = $6 AND o.status IN ($2, $3) AND o.input->>'targetStoreId' = $4::text AND f.sha256 = ANY($1)`,
      [digests, OperationStatus.PENDING, OperationStatus.RUNNING, storeId, graceMs / 1000, OperationKind.STORE_MOVE],
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
