import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config';
import { systemCaller } from '../domain/auth/caller';
import { detectFormat } from '../domain/artifacts/artifact-format';
import { SourceType } from '../domain/catalog/catalog-enums';
import type { ImportSource } from '../domain/onboarding/import-source';
import { OperationStatus } from '../domain/onboarding/operation';
import { nextRetry, type RetryVerdict, retryMessage, SOURCE_UNREACHABLE, type UnreachableStreak } from '../domain/onboarding/source-retry';
import type { ManifestEntry } from '../domain/onboarding/manifest';
import type { StorageUsageService } from './storage-usage.service';
import type { StoreRegistry } from './store-registry';
import { readHead } from '../storage/file-head';
import { createSource } from '../storage/sources/create-source';
import type { DraftListing } from '../storage/sources/draft-blob-source';
import type { ModelSource, SourceFile } from '../storage/sources/model-source';
import { stageFile } from '../storage/staged-file';
import type { ImportListingService, ListingSummary } from './import-listing.service';
import { metrics } from '../observability/metrics';
import type { OperationService } from './operation.service';

export interface StageAllRequest {
  operationId: string;
  versionId: string;
  source: ImportSource;
  /** Called on a timer while bytes move, with the bytes stored so far (the activity's heartbeat). */
  onHeartbeat?: (details: { stored: number; inFlight: number }) => void;
  signal?: AbortSignal;
}

const PROGRESS_INTERVAL_MS = 1000;
/** Staging runs in the import's workflow: ModelHub acting for whoever started the import (checked then). */
const IMPORT_WORKER = systemCaller('import workflow');
const TICK_MS = 5000;

/** The byte-moving half of an import (the worker's side): list the source once, then stage and store its files. */
export class IngestionService {
  constructor(
    private readonly config: Pick<Config, 'hub' | 'imports' | 'urlImports' | 'artifacts'>,
    private readonly stores: StoreRegistry,
    private readonly operations: OperationService,
    private readonly listings: ImportListingService,
    private readonly usage: StorageUsageService,
    /** Lists a submitted DRAFT version's uploaded files (the draft source of submitVersion). */
    private readonly drafts: DraftListing | null = null,
  ) {}

  /** Lists the source once; a listing that takes the project or its store past its quota fails the import (QUOTA_EXCEEDED). */
  async listFiles(operationId: string, source: ImportSource): Promise<ListingSummary> {
    const versionId = (await this.operations.get(IMPORT_WORKER, operationId)).versionId;
    const { store } = versionId ? await this.stores.forVersion(versionId) : this.stores.defaultStore;
    const summary = await this.listings.record(operationId, () => createSource(source, this.config, store, null, this.drafts).list());
    // The live listing counts in the usage from now on, so two imports started together cannot both slip under.
    if (versionId) await this.usage.assertRoom(versionId, 0n);
    return summary;
  }

  /**
   * One more failed attempt at an unreachable source: decides (against EXTERNAL_SOURCE_RETRY_BUDGET_MS) whether and
   * when to try again, and shows the cause, the attempt and the next retry on the operation meanwhile. `nowMs` is
   * the workflow's time, so the decision does not depend on which worker's clock ran this.
   */
  async noteSourceFailure(operationId: string, cause: string, previous: UnreachableStreak | null, nowMs: number): Promise<RetryVerdict> {
    const stored = await this.listings.storedBytes(operationId);
    const verdict = nextRetry(previous, nowMs, stored, this.config.imports.sourceRetryBudgetMs);
    if (verdict.retryInMs !== null) {
      await this.operations.update(operationId, {
        status: OperationStatus.RUNNING,
        message: retryMessage(cause, verdict, nowMs).slice(0, 2000),
        errorCode: SOURCE_UNREACHABLE,
        errorMessage: cause.slice(0, 20_000),
      });
    }
    return verdict;
  }

  /**
   * A failed attempt the activity's own retry policy retries (our services, a stalled transfer): its message is
   * shown meanwhile. Best effort: the database may be what failed.
   */
  async noteAttemptFailure(operationId: string, cause: string, attempt: number): Promise<void> {
    await this.operations.update(operationId, { message: `attempt ${attempt} failed, retrying: ${cause}`.slice(0, 2000) }).catch(() => undefined);
  }

  /** The source answered again: the failure shown meanwhile is cleared (the operation keeps running). */
  async clearSourceFailure(operationId: string): Promise<void> {
    const op = await this.operations.get(IMPORT_WORKER, operationId);
    if (op.errorCode !== SOURCE_UNREACHABLE) return;
    await this.operations.update(operationId, { message: null, errorCode: null, errorMessage: null });
  }

  /** Records which worker host stages this import (ops see it; the bytes live on that host's disk). */
  async claimHost(operationId: string, hostId: string): Promise<void> {
    await this.operations.update(operationId, { currentStep: `downloading on host ${hostId}` });
  }

  stagingPath(versionId: string, file: string): string {
    const key = createHash('sha256').update(file).digest('hex').slice(0, 32);
    return path.join(this.config.artifacts.stagingDir, versionId, `${key}.part`);
  }

  /**
   * Stages and stores every file still pending, `imports.concurrency` at a time. Each stored file is recorded at
   * once, so a restarted attempt only fetches what is left (and resumes partial files from their staged bytes).
   */
  async stageAll(request: StageAllRequest): Promise<{ files: number; bytes: number }> {
    const { operationId } = request;
    const pending = await this.listings.pending(operationId);
    const operation = await this.operations.get(IMPORT_WORKER, operationId);
    const { store } = await this.stores.forVersion(request.versionId);
    const source = createSource(pinned(request.source, operation.sourceRevision), this.config, store, null, this.drafts);
    const total = Number(operation.bytesTotal ?? 0n);
    let stored = await this.listings.storedBytes(operationId);
    const inFlight = new Map<string, number>();
    const staged = () => [...inFlight.values()].reduce((a, b) => a + b, 0);
    let lastReport = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
      lastReport = now;
      const done = stored + staged();
      const current = [...inFlight.keys()];
      void this.operations
        .update(operationId, {
          currentStep: current.length ? `downloading ${current.slice(0, 3).join(', ')}${current.length > 3 ? ` and ${current.length - 3} more` : ''}` : 'storing',
          bytesDone: BigInt(done),
          progress: total > 0 ? (done / total) * 0.95 : 0,
        })
        .catch(() => undefined); // progress is best effort; import_files carries the resume point
    };
    // Heartbeats on a timer, not only on data: a slow or stalled link is told apart from a dead worker.
    const ticker = setInterval(() => request.onHeartbeat?.({ stored, inFlight: staged() }), TICK_MS);
    request.onHeartbeat?.({ stored, inFlight: 0 });
    try {
      await forEachBounded(pending, this.config.imports.concurrency, request.signal, async (file) => {
        inFlight.set(file.path, 0);
        const sourceFile = { path: file.path, size: file.size, sha256: file.expectedSha256, gitBlobId: file.gitBlobId };
        const entry = await this.stageSourceFile(request.versionId, source, sourceFile, (bytes) => {
          inFlight.set(file.path, bytes);
          report();
        }, request.signal);
        await this.listings.markStored(operationId, entry);
        inFlight.delete(file.path);
        stored += entry.size;
        metrics.bytesImported.inc({ source: request.source.type }, entry.size);
        // Throttled like byte progress: a forced write per file would be 2,000 UPDATE+NOTIFY for 2,000 files.
        report();
      });
      report(true);
    } finally {
      clearInterval(ticker);
    }
    return { files: pending.length, bytes: stored };
  }

  /** One file: source → hashing, verified staging copy → content-addressed store. */
  async stageSourceFile(
    versionId: string,
    source: ModelSource,
    file: SourceFile,
    onBytes?: (staged: number) => void,
    signal?: AbortSignal,
  ): Promise<ManifestEntry> {
    const stagingPath = this.stagingPath(versionId, file.path);
    const { store } = await this.stores.forVersion(versionId);
    const detected: { format?: ManifestEntry['format'] } = {};
    const blob = await stageFile({
      name: file.path,
      stagingPath,
      open: (offset) => source.open(file, offset),
      expectedSize: file.size,
      expectedSha256: file.sha256,
      expectedGitBlobId: file.gitBlobId,
      idleTimeoutMs: this.config.imports.idleTimeoutMs,
      onProgress: onBytes,
      progressEveryBytes: 0,
      signal,
      // Inside the staging lock: a zombie attempt can never swap the file between verification and storing.
      commit: async (verified) => {
        detected.format = detectFormat(file.path, await readHead(stagingPath));
        await store.adoptStagedFile(stagingPath, verified);
      },
    });
    if (!detected.format) throw new Error(`staging ${file.path} finished without storing it`); // commit always runs on success
    return { path: file.path, size: blob.size, sha256: blob.sha256, format: detected.format };
  }

  async discardStaging(versionId: string): Promise<void> {
    await rm(path.join(this.config.artifacts.stagingDir, versionId), { recursive: true, force: true });
  }
}

/** A Hugging Face source read at the commit its listing was pinned to. */
function pinned(source: ImportSource, revision: string | null): ImportSource {
  return source.type === SourceType.HUGGING_FACE && revision ? { ...source, revision } : source;
}

/**
 * Runs `work` over items with at most `limit` in flight; after the first failure no new item starts (partial
 * files stay staged for the retry) and it is rethrown once the started ones have settled.
 */
async function forEachBounded<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      signal?.throwIfAborted();
      const item = items[next++];
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== null) throw failure;
}
