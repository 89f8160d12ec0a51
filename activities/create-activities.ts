import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Inspection } from '../src/services/artifact-inspection.service';
import type { ArtifactInspectionService } from '../src/services/artifact-inspection.service';
import type { ImportListingService, ListingSummary } from '../src/services/import-listing.service';
import type { ImportIds, ImportOutcomeService } from '../src/services/import-outcome.service';
import type { IngestionService } from '../src/services/ingestion.service';
import type { LocalCacheService } from '../src/services/local-cache.service';
import type { ImportWorkflowInput, LocalCacheWorkflowInput } from '../src/domain/onboarding/workflow-inputs';
import { type RetryVerdict, SOURCE_UNREACHABLE, type UnreachableStreak } from '../src/domain/onboarding/source-retry';
import { failFast } from './activity-failures';
import { whileHeartbeating } from './heartbeat-timer';
import { createScanActivities, type ScanActivityDeps } from './scan-activities';
import { createBlobGcActivities } from './blob-gc.activities';
import { createUploadSweepActivities } from './upload-sweep.activities';
import type { UploadSweepService } from '../src/services/storage/upload-sweep.service';
import { createStoreMoveActivities } from './store-move.activities';
import type { StoreMoveService } from '../src/services/storage/store-move.service';
import { createReportedScoresActivities } from './reported-scores.activities';
import type { ReportedScoresRefreshService } from '../src/services/reported-scores-refresh.service';
import { createBenchmarkActivities, type BenchmarkActivityDeps } from './benchmark-activities';
import { createEvaluationActivities, type EvaluationActivityDeps } from './evaluation-activities';
import type { BlobGcService } from '../src/services/blob-gc.service';
import { createWebhookActivities } from './webhook.activities';
import type { WebhookAttemptService } from '../src/services/webhooks/webhook-attempt.service';

export interface ActivityDeps extends ScanActivityDeps, BenchmarkActivityDeps, EvaluationActivityDeps {
  ingestion: IngestionService;
  inspection: ArtifactInspectionService;
  outcomes: ImportOutcomeService;
  listings: ImportListingService;
  caches: LocalCacheService;
  blobGc: BlobGcService;
  uploadSweeper: UploadSweepService;
  storeMoves: StoreMoveService;
  reportedScoresRefresh: ReportedScoresRefreshService;
  webhookAttempts: WebhookAttemptService;
  /** This worker's host: its id and its own task queue (work needing this host's disk is sent there). */
  host: { id: string; taskQueue: string };
}

/**
 * Thin wrappers over services: each heartbeats where it moves bytes and fails fast where retrying is futile.
 * Settling activities are compare-and-set in the services, so any of them may run twice.
 */
export function createActivities({ scanRuns, scanRequests, blobScans, ingestion, inspection, outcomes, listings, caches, blobGc, uploadSweeper, storeMoves, reportedScoresRefresh, host, measuredRuns, benchmarkRuns, evaluationRuns, evalDatasets, webhookAttempts }: ActivityDeps) {
  return {
    ...createWebhookActivities({ webhookAttempts }),
    ...createBenchmarkActivities({ measuredRuns, benchmarkRuns }),
    ...createEvaluationActivities({ measuredRuns, evaluationRuns, evalDatasets }),
    ...createBlobGcActivities({ blobGc }),
    ...createUploadSweepActivities({ uploadSweeper }),
    ...createStoreMoveActivities({ storeMoves }),
    ...createReportedScoresActivities({ reportedScoresRefresh }),
    ...createScanActivities({ scanRuns, scanRequests, blobScans }),
    listSourceFiles(input: ImportWorkflowInput): Promise<ListingSummary> {
      return showingRetries(ingestion, input.operationId, () => whileHeartbeating(() => failFast(() => ingestion.listFiles(input.operationId, input.source))));
    },

    /** Runs on the shared queue: whichever worker takes it hosts the download (its disk holds the staging). */
    async claimStagingHost(input: ImportWorkflowInput): Promise<string> {
      await ingestion.claimHost(input.operationId, host.id);
      return host.taskQueue;
    },

    stageSourceFiles(input: ImportWorkflowInput): Promise<{ files: number; bytes: number }> {
      const ctx = Context.current();
      return showingRetries(ingestion, input.operationId, () =>
        failFast(() =>
          ingestion.stageAll({
            operationId: input.operationId,
            versionId: input.versionId,
            source: input.source,
            onHeartbeat: (details) => ctx.heartbeat(details),
            signal: ctx.cancellationSignal,
          }),
        ),
      );
    },

    inspectArtifacts(ids: ImportIds): Promise<Inspection> {
      return whileHeartbeating(() => failFast(async () => inspection.inspect(ids.versionId, await listings.manifest(ids.operationId))));
    },

    completeImport(ids: ImportIds, result: Inspection): Promise<string> {
      return whileHeartbeating(async () => {
        const outcome = await failFast(() => outcomes.complete(ids, result));
        await ingestion.discardStaging(ids.versionId);
        return outcome.status;
      });
    },

    failImport(ids: ImportIds, code: string, message: string): Promise<void> {
      return whileHeartbeating(async () => {
        await outcomes.fail(ids, code, message);
        await ingestion.discardStaging(ids.versionId);
      });
    },

    /** Bookkeeping of the workflow's retries of an unreachable source (see workflows/source-retry.ts). */
    noteSourceFailure(ids: ImportIds, cause: string, previous: UnreachableStreak | null, nowMs: number): Promise<RetryVerdict> {
      return ingestion.noteSourceFailure(ids.operationId, cause, previous, nowMs);
    },

    clearSourceFailure(ids: ImportIds): Promise<void> {
      return ingestion.clearSourceFailure(ids.operationId);
    },

    cancelImport(ids: ImportIds): Promise<void> {
      return whileHeartbeating(async () => {
        await outcomes.cancelled(ids);
        await ingestion.discardStaging(ids.versionId);
      });
    },

    materializeCache(input: LocalCacheWorkflowInput): Promise<string> {
      const ctx = Context.current();
      return failFast(() => caches.materialize(input, (bytes) => ctx.heartbeat(bytes), ctx.cancellationSignal));
    },

    claimCacheHost(input: LocalCacheWorkflowInput): Promise<string> {
      return failFast(() => caches.claimHost(input));
    },

    evictCache(cacheId: string): Promise<void> {
      return failFast(() => caches.evictHere(cacheId));
    },

    failCache(input: LocalCacheWorkflowInput, message: string, cancelled: boolean): Promise<void> {
      return caches.fail(input, message, cancelled);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * A failure the activity's retry policy will retry is shown on the operation's message meanwhile (the workflow
 * shows unreachable sources itself, and non-retryable failures end the import with their cause).
 */
async function showingRetries<T>(ingestion: IngestionService, operationId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const final = error instanceof ApplicationFailure && (error.nonRetryable || error.type === SOURCE_UNREACHABLE);
    if (!final && !Context.current().cancellationSignal.aborted) {
      await ingestion.noteAttemptFailure(operationId, error instanceof Error ? error.message : String(error), Context.current().info.attempt);
    }
    throw error;
  }
}
