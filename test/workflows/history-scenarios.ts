import type { StoreMoveInput } from '../../src/domain/storage/store-move';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Activities } from '../../activities/create-activities';
import type { Inspection } from '../../src/services/artifact-inspection.service';
import { SourceType } from '../../src/domain/catalog/catalog-enums';
import type { ScanIds, ScanSummary } from '../../src/domain/scanning/scan-inputs';
import type { RunIds } from '../../src/domain/benchmarking/run-ids';
import type { BlobGcInput } from '../../src/domain/storage/blob-gc';
import type { RefreshReportedScoresInput } from '../../workflows/reported-scores.workflow';
import type { WebhookDeliveryInput } from '../../src/domain/webhooks/webhook-inputs';
import type { ImportWorkflowInput, LocalCacheWorkflowInput, EvictCacheWorkflowInput } from '../../src/domain/onboarding/workflow-inputs';

/**
 * What the recorder runs: each scenario drives the REAL workflow code along one path and saves its history.
 *
 * The activities are stubs returning realistic values of the real signatures. That is enough: replay never runs
 * activities, it feeds their recorded results back to the workflow and checks that the workflow asks for the
 * same commands in the same order. What a history pins down is the workflow's side of the conversation.
 */
export interface HistoryScenario {
  /** File name: test/workflows/histories/<file>.json */
  file: string;
  workflowType: 'scanWorkflow' | 'rescanOutdatedWorkflow' | 'importWorkflow' | 'localCacheWorkflow' | 'evictCacheWorkflow' | 'blobGcWorkflow' | 'uploadSweepWorkflow' | 'storeMoveWorkflow' | 'benchmarkWorkflow' | 'evaluationWorkflow' | 'refreshReportedScoresWorkflow' | 'webhookDeliveryWorkflow';
  /** A function when the input names the recorder's task queue (a host queue, say). */
  input: WebhookDeliveryInput | ScanIds | RunIds | { batch: number } | RefreshReportedScoresInput | ImportWorkflowInput | LocalCacheWorkflowInput | BlobGcInput | StoreMoveInput | ((taskQueue: string) => EvictCacheWorkflowInput);
  activities: Activities;
  /** Set for paths that end by a cancel request: sent once the activity that waits for it has started. */
  cancelWhenStarted?: Promise<void>;
  expectedStatus: 'COMPLETED' | 'FAILED' | 'CANCELLED';
}

const storeMoveInput: StoreMoveInput = {
  operationId: '7d2c4e6a-1b3f-4a5c-9e7d-2f4a6c8e0a11',
  versionId: 'c3f1a8e4-2d6b-4f9c-8e7a-0b5d1c2e3f03',
  sourceStoreId: '00000000-0000-4000-8000-000000000000',
  targetStoreId: '4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c12',
};

// Fixed ids: re-recording an unchanged workflow changes only timestamps and server-assigned ids in the JSON.
const importInput: ImportWorkflowInput = {
  operationId: '5b0d7c1e-8f61-4c1a-9a53-1f4c3f0e2a01',
  modelId: '9a4e2b6d-3c7f-4e8a-b1d2-6f0a5c9e7b02',
  versionId: 'c3f1a8e4-2d6b-4f9c-8e7a-0b5d1c2e3f03',
  source: { type: SourceType.HUGGING_FACE, repoId: 'acme/tiny-llama', revision: 'main' },
};

const cacheInput: LocalCacheWorkflowInput = {
  operationId: '0e7c2a9b-5d1f-4b3e-a6c8-2f9d4e1b7a04',
  modelId: importInput.modelId,
  cacheId: 'd8b3f6a1-9e2c-4a7d-b5f0-3c1e8a6d2b05',
  versionId: importInput.versionId,
};

// A rescan's SCAN operation on the imported version.
const scanInput: ScanIds = { operationId: '2c6e9d1a-7b3f-4e5a-9c8d-1f2a3b4c5d06', modelId: importInput.modelId, versionId: importInput.versionId };

// A BENCHMARK operation on the imported version.
const benchmarkInput: RunIds = { operationId: '7f3a1c5e-2b9d-4e6f-8a1c-3d5e7f9a1b08', modelId: importInput.modelId, versionId: importInput.versionId };

const scanned: ScanSummary = { scanResultId: 'e4a7c2b9-1d5f-4a8e-b3c6-9f0d2e1a7b07', status: 'PASSED', files: 3, findings: 0 };

const inspection: Inspection = {
  verified: {
    architecture: 'LlamaForCausalLM',
    modelType: 'llama',
    parameterCount: '1100000000',
    contextLength: 2048,
    dtypes: { 'model.safetensors': 'BF16' },
    torchDtype: 'bfloat16',
    quantization: null,
    license: 'apache-2.0',
    tags: ['text-generation'],
    pipelineTag: 'text-generation',
    baseModel: null,
    numLayers: 22,
    numKeyValueHeads: 4,
    headDim: 64,
  },
  problems: [],
  requirements: { minGpuMemoryGb: 3, recommendedGpu: 'NVIDIA T4', recommendedGpuCount: 1 },
};

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Heartbeats until the workflow's cancel request arrives; Context.sleep rejects with CancelledFailure then. */
async function runUntilCancelled(started: () => void): Promise<never> {
  started();
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat({ bytes: 1024 });
    await ctx.sleep(50);
  }
}

const refreshed = { checked: 100, changed: 3, unchanged: 95, skipped: 1, failed: 1, failures: [{ modelId: importInput.modelId, reason: 'acme/tiny-llama@main answered 404 (gone, private or gated)' }] };

function hubBackOnSecondAttempt(): Activities['listSourceFiles'] {
  let calls = 0;
  return async () => {
    if (calls++ === 0) throw ApplicationFailure.retryable('https://huggingface.co: fetch failed: connect ECONNREFUSED 10.0.0.1:443', 'SOURCE_UNREACHABLE');
    return { files: 3, bytes: 2_200_000_000, revision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' };
  };
}

function happyActivities(): Activities {
  return {
    listSourceFiles: async () => ({ files: 3, bytes: 2_200_000_000, revision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }),
    stageSourceFiles: async () => ({ files: 3, bytes: 2_200_000_000 }),
    inspectArtifacts: async () => inspection,
    completeImport: async () => 'VERIFIED',
    beginScan: async () => ({ ...scanned, status: 'SCANNING' }),
    scanFiles: async () => undefined,
    finishScan: async () => scanned,
    completeScan: async () => undefined,
    failScan: async () => undefined,
    cancelScan: async () => undefined,
    rescanOutdated: async () => ({ outdated: 2, started: 2 }),
    failImport: async () => undefined,
    cancelImport: async () => undefined,
    noteSourceFailure: async (_ids, _cause, previous, nowMs) => ({
      streak: { sinceMs: previous?.sinceMs ?? nowMs, attempt: (previous?.attempt ?? 0) + 1, storedBytes: 0 },
      retryInMs: 50,
    }),
    clearSourceFailure: async () => undefined,
    materializeCache: async (input) => `/var/cache/modelhub/${input.cacheId}`,
    // The recorder has one worker: the "host" queue is the one this activity runs on.
    claimCacheHost: async () => Context.current().info.taskQueue,
    claimStagingHost: async () => Context.current().info.taskQueue,
    evictCache: async () => undefined,
    failCache: async () => undefined,
    collectUnreferencedBlobs: async () => ({ scanned: 120, referenced: 110, young: 4, deleted: 6, bytesFreed: 6_291_456 }),
    sweepAbandonedUploads: async () => ({ multipartAborted: 2, uploadsRemoved: 2, keptStoreAway: 0, ticketsRemoved: 5, partFilesRemoved: 1, partBytesRemoved: 1_048_576 }),
    copyVersionToStore: async () => ({ blobs: 3, copied: 3, alreadyThere: 0, bytes: 2_200_000_000 }),
    switchVersionStore: async () => undefined,
    failStoreMove: async () => undefined,
    refreshReportedScoresPage: async (input) => ({ ...refreshed, last: input.after === null ? '3c9e5a7b-1d2f-4e6a-8b0c-2d4f6a8c0e10' : null }),
    refreshReportedScoresOf: async () => refreshed,
    runBenchmarkLoad: async () => 'measured',
    failBenchmark: async () => undefined,
    cancelBenchmark: async () => undefined,
    runEvaluationSuite: async () => 'scored',
    failEvaluation: async () => undefined,
    cancelEvaluation: async () => undefined,
    attemptWebhookDelivery: async () => ({ done: true, state: 'SUCCEEDED' }),
  };
}

function onceThen<T>(first: T, then: T): () => Promise<T> {
  let calls = 0;
  return async () => (calls++ === 0 ? first : then);
}

export function historyScenarios(): HistoryScenario[] {
  const importStaging = deferred();
  const cacheCopying = deferred();
  const importScanning = deferred();
  const rescanning = deferred();
  const loading = deferred();
  const bench = { workflowType: 'benchmarkWorkflow', input: benchmarkInput } as const;
  const scoring = deferred();
  const evaluation = { workflowType: 'evaluationWorkflow', input: { ...benchmarkInput, operationId: '8a4b2d6f-3c0e-4f7a-9b2d-4e6f8a0b2c09' } } as const;
  const base = { workflowType: 'importWorkflow', input: importInput } as const;
  const cache = { workflowType: 'localCacheWorkflow', input: cacheInput } as const;
  return [
    { ...base, file: 'import-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      // failFast's translation of SourceUnavailableError: the listing fails, failImport settles the row.
      ...base,
      file: 'import-source-error',
      activities: {
        ...happyActivities(),
        listSourceFiles: async () => {
          throw ApplicationFailure.nonRetryable('acme/tiny-llama@main: repository not found', 'SOURCE_NOT_FOUND');
        },
      },
      expectedStatus: 'FAILED',
    },
    {
      // Since patch 'source-retry-budget': an unreachable hub comes back to the workflow, which notes the failure on the
      // operation, waits on a timer and lists again; the source answers, the failure is cleared, the import goes on.
      ...base,
      file: 'import-source-unreachable',
      activities: { ...happyActivities(), listSourceFiles: hubBackOnSecondAttempt() },
      expectedStatus: 'COMPLETED',
    },
    {
      // A broken artifact found while reading metadata (MalformedArtifactError through failFast).
      ...base,
      file: 'import-verification-failure',
      activities: {
        ...happyActivities(),
        inspectArtifacts: async () => {
          throw ApplicationFailure.nonRetryable('model.safetensors: header length exceeds file size', 'BAD_USER_INPUT');
        },
      },
      expectedStatus: 'FAILED',
    },
    {
      // Cancelled mid-transfer: the copy stops (WAIT_CANCELLATION_COMPLETED), then cancelImport runs non-cancellably.
      ...base,
      file: 'import-cancelled',
      activities: { ...happyActivities(), stageSourceFiles: () => runUntilCancelled(importStaging.resolve) },
      cancelWhenStarted: importStaging.promise,
      expectedStatus: 'CANCELLED',
    },
    // Since patch 'scan-before-verify': the stored files are scanned between inspection and completion.
    { ...base, file: 'import-scanned', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    // Since patch 'stage-on-host': a host is claimed and the download runs on its own queue.
    { ...base, file: 'import-staged-on-host', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      // A malicious file: the scan FAILS and completeImport settles NEEDS_ATTENTION; the workflow itself completes.
      ...base,
      file: 'import-scan-findings',
      activities: { ...happyActivities(), finishScan: async () => ({ ...scanned, status: 'FAILED', findings: 1 }), completeImport: async () => 'NEEDS_ATTENTION' },
      expectedStatus: 'COMPLETED',
    },
    {
      ...base,
      file: 'import-cancelled-while-scanning',
      activities: { ...happyActivities(), scanFiles: () => runUntilCancelled(importScanning.resolve) },
      cancelWhenStarted: importScanning.promise,
      expectedStatus: 'CANCELLED',
    },
    { workflowType: 'scanWorkflow', input: scanInput, file: 'scan-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      workflowType: 'scanWorkflow',
      input: scanInput,
      file: 'scan-failure',
      activities: {
        ...happyActivities(),
        beginScan: async () => {
          throw ApplicationFailure.nonRetryable('Version c3f1a8e4-2d6b-4f9c-8e7a-0b5d1c2e3f03 has no stored files to scan', 'CONFLICT');
        },
      },
      expectedStatus: 'FAILED',
    },
    {
      workflowType: 'scanWorkflow',
      input: scanInput,
      file: 'scan-cancelled',
      activities: { ...happyActivities(), scanFiles: () => runUntilCancelled(rescanning.resolve) },
      cancelWhenStarted: rescanning.promise,
      expectedStatus: 'CANCELLED',
    },
    // One pass of the rescan schedule.
    { workflowType: 'rescanOutdatedWorkflow', input: { batch: 100 }, file: 'rescan-outdated', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    { ...cache, file: 'local-cache-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    // Since patch 'cache-on-host': the host is claimed, then the copy runs on that host's queue.
    { ...cache, file: 'local-cache-on-host', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      workflowType: 'evictCacheWorkflow',
      input: (taskQueue) => ({ cacheId: cacheInput.cacheId, hostTaskQueue: taskQueue }),
      file: 'evict-cache-success',
      activities: happyActivities(),
      expectedStatus: 'COMPLETED',
    },
    {
      ...cache,
      file: 'local-cache-failure',
      activities: {
        ...happyActivities(),
        materializeCache: async () => {
          throw ApplicationFailure.nonRetryable('version is not VERIFIED', 'CONFLICT');
        },
      },
      expectedStatus: 'FAILED',
    },
    {
      ...cache,
      file: 'local-cache-cancelled',
      activities: { ...happyActivities(), materializeCache: () => runUntilCancelled(cacheCopying.resolve) },
      cancelWhenStarted: cacheCopying.promise,
      expectedStatus: 'CANCELLED',
    },
    // One pass of the blob collector, as its schedule starts it.
    { workflowType: 'blobGcWorkflow', input: { graceMs: 86_400_000 }, file: 'blob-gc-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    // One pass of the upload sweeper, as its schedule starts it.
    { workflowType: 'uploadSweepWorkflow', input: { graceMs: 3_600_000 }, file: 'upload-sweep-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    // moveVersion: copied and verified, then switched; and a target that stayed away, which leaves the version put.
    { workflowType: 'storeMoveWorkflow', input: storeMoveInput, file: 'store-move-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      workflowType: 'storeMoveWorkflow',
      input: storeMoveInput,
      file: 'store-move-failure',
      activities: {
        ...happyActivities(),
        copyVersionToStore: async () => {
          throw ApplicationFailure.nonRetryable('artifact store "archive" is unavailable (it cannot be reached); try again later', 'STORE_UNAVAILABLE');
        },
      },
      expectedStatus: 'FAILED',
    },
    // One scheduled refresh of reported scores over two pages, and an operator's refresh of named models.
    { workflowType: 'refreshReportedScoresWorkflow', input: { batch: 100 }, file: 'reported-scores-refresh', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    { workflowType: 'refreshReportedScoresWorkflow', input: { batch: 100, modelIds: [importInput.modelId] }, file: 'reported-scores-refresh-models', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      // The receiver fails once (a 500): the activity says when to try again, the workflow sleeps, the retry succeeds.
      workflowType: 'webhookDeliveryWorkflow',
      input: { deliveryId: '2e6a0c4f-7b1d-4e3a-9c5f-1a3b5d7f9e10', timeoutMs: 10_000 },
      file: 'webhook-delivery-retried',
      activities: { ...happyActivities(), attemptWebhookDelivery: onceThen({ done: false, retryInMs: 50 }, { done: true, state: 'SUCCEEDED' }) },
      expectedStatus: 'COMPLETED',
    },
    { ...bench, file: 'benchmark-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      ...bench,
      file: 'benchmark-failure',
      activities: {
        ...happyActivities(),
        runBenchmarkLoad: async () => {
          throw ApplicationFailure.nonRetryable('every request to the endpoint failed: HTTP 401', 'BAD_USER_INPUT');
        },
      },
      expectedStatus: 'FAILED',
    },
    {
      // Cancelled mid-sweep: the load stops (WAIT_CANCELLATION_COMPLETED), then cancelBenchmark runs non-cancellably.
      ...bench,
      file: 'benchmark-cancelled',
      activities: { ...happyActivities(), runBenchmarkLoad: () => runUntilCancelled(loading.resolve) },
      cancelWhenStarted: loading.promise,
      expectedStatus: 'CANCELLED',
    },
    { ...evaluation, file: 'evaluation-success', activities: happyActivities(), expectedStatus: 'COMPLETED' },
    {
      ...evaluation,
      file: 'evaluation-failure',
      activities: {
        ...happyActivities(),
        runEvaluationSuite: async () => {
          throw ApplicationFailure.nonRetryable('mc.jsonl: no such dataset', 'FAILED');
        },
      },
      expectedStatus: 'FAILED',
    },
    {
      ...evaluation,
      file: 'evaluation-cancelled',
      activities: { ...happyActivities(), runEvaluationSuite: () => runUntilCancelled(scoring.resolve) },
      cancelWhenStarted: scoring.promise,
      expectedStatus: 'CANCELLED',
    },
  ];
}
