import type { StoreMoveInput } from '../domain/storage/store-move';
import type { EvictCacheWorkflowInput, ImportWorkflowInput, LocalCacheWorkflowInput } from '../domain/onboarding/workflow-inputs';

import type { ScanWorkflowInput } from '../domain/scanning/scan-inputs';
import type { ReportedScoresRefreshReport } from '../domain/evaluation/reported-score-changes';
import type { RunIds } from './measured-run.service';
import type { WebhookDeliveryInput } from '../domain/webhooks/webhook-inputs';

export type { WebhookDeliveryInput };

export type StartOutcome = 'started' | 'already-running';

/** The latest run of a workflow id: still running, closed (how), or unknown to the server. */
export type WorkflowState = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out' | 'not-found';

/** How services start and stop durable work without knowing Temporal (src/temporal implements it). */
export interface WorkflowGateway {
  startImport(workflowId: string, input: ImportWorkflowInput): Promise<StartOutcome>;
  startLocalCache(workflowId: string, input: LocalCacheWorkflowInput): Promise<StartOutcome>;
  startScan(workflowId: string, input: ScanWorkflowInput): Promise<StartOutcome>;
  startBenchmark(workflowId: string, input: RunIds): Promise<StartOutcome>;
  startEvaluation(workflowId: string, input: RunIds): Promise<StartOutcome>;
  startStoreMove(workflowId: string, input: StoreMoveInput): Promise<StartOutcome>;
  /** Runs the eviction on the cache's host and waits for it; rejects when that host does not answer in time. */
  evictCache(workflowId: string, input: EvictCacheWorkflowInput): Promise<void>;
  /** Refreshes the named models' reported scores and waits for the report (joins a run of the same id still open). */
  refreshReportedScores(workflowId: string, input: { batch: number; modelIds: string[] }): Promise<ReportedScoresRefreshReport>;
  /** One webhook delivery's attempts, retried with backoff (workflows/webhook-delivery.workflow.ts). */
  startWebhookDelivery(workflowId: string, input: WebhookDeliveryInput): Promise<StartOutcome>;
  /** 'not-running' when no run of the id is open (closed, or never started). */
  cancel(workflowId: string): Promise<'requested' | 'not-running'>;
  describe(workflowId: string): Promise<WorkflowState>;
  healthy(): Promise<boolean>;
}
