import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config/config';
import type { EvictCacheWorkflowInput, ImportWorkflowInput, LocalCacheWorkflowInput } from '../domain/onboarding/workflow-inputs';
import type { ScanWorkflowInput } from '../domain/scanning/scan-inputs';
import type { StoreMoveInput } from '../domain/storage/store-move';
import type { RunIds } from '../domain/benchmarking/run-ids';
import type { ReportedScoresRefreshReport } from '../domain/evaluation/reported-score-changes';
import type { StartOutcome, WebhookDeliveryInput, WorkflowGateway, WorkflowState } from '../services/workflow-gateway';
import { activeTracing } from '../observability/tracing-state';
import { WORKFLOW_TYPES } from './task-queues';

const CLOSED_STATES: Partial<Record<string, WorkflowState>> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
  // A continued run hands over to a new one under the same id; describe follows the latest, so this is rare.
  CONTINUED_AS_NEW: 'running',
};

/** WorkflowGateway over a Temporal client: business-key workflow ids, so a repeated start finds the running one. */
export class TemporalGateway implements WorkflowGateway {
  private constructor(
    private readonly connection: Connection,
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  static async connect(address: string, temporal: Config['temporal']): Promise<TemporalGateway> {
    const connection = await Connection.connect({ address });
    // Connecting ran inside the connection's AsyncLocalStorage (its deadline), which on Node 20 turns promise hooks on
    // for the whole process and leaves them on: every await of every request then pays for them (about twice the
    // cost of a bare await). We never set a call context (withDeadline, withMetadata), so the storage goes off again;
    // calls only read it (getStore), which does not turn it on. With OTEL_TRACES on, the tracer's context needs hooks.
    connection.callContextStorage.disable();
    // With tracing on, a workflow started inside a traced request carries its trace context in the start headers.
    const tracing = activeTracing();
    const client = new Client({ connection, namespace: temporal.namespace, ...(tracing ? { interceptors: { workflow: tracing.clientInterceptors } } : {}) });
    return new TemporalGateway(connection, client, temporal.taskQueue);
  }

  startImport(workflowId: string, input: ImportWorkflowInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.import, workflowId, input);
  }

  startLocalCache(workflowId: string, input: LocalCacheWorkflowInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.localCache, workflowId, input);
  }

  startScan(workflowId: string, input: ScanWorkflowInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.scan, workflowId, input);
  }

  startBenchmark(workflowId: string, input: RunIds): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.benchmark, workflowId, input);
  }

  startEvaluation(workflowId: string, input: RunIds): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.evaluation, workflowId, input);
  }

  startStoreMove(workflowId: string, input: StoreMoveInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.storeMove, workflowId, input);
  }

  startWebhookDelivery(workflowId: string, input: WebhookDeliveryInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.webhookDelivery, workflowId, input);
  }

  async evictCache(workflowId: string, input: EvictCacheWorkflowInput): Promise<void> {
    await this.client.workflow.execute(WORKFLOW_TYPES.evictCache, {
      taskQueue: this.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      // Bounded: the caller is a GraphQL request waiting for the answer.
      workflowExecutionTimeout: '2 minutes',
    });
  }

  async refreshReportedScores(workflowId: string, input: { batch: number; modelIds: string[] }): Promise<ReportedScoresRefreshReport> {
    try {
      return await this.client.workflow.execute(WORKFLOW_TYPES.refreshReportedScores, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        // Bounded: the caller is a GraphQL request waiting for the answer.
        workflowExecutionTimeout: '2 minutes',
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      return this.client.workflow.getHandle(workflowId).result();
    }
  }

  async cancel(workflowId: string): Promise<'requested' | 'not-running'> {
    if ((await this.describe(workflowId)) !== 'running') return 'not-running';
    try {
      await this.client.workflow.getHandle(workflowId).cancel();
      return 'requested';
    } catch (error) {
      // Closed between the describe and the cancel.
      if (error instanceof WorkflowNotFoundError) return 'not-running';
      throw error;
    }
  }

  async describe(workflowId: string): Promise<WorkflowState> {
    try {
      const { status } = await this.client.workflow.getHandle(workflowId).describe();
      return CLOSED_STATES[status.name] ?? 'running';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'not-found';
      throw error;
    }
  }

  async healthy(): Promise<boolean> {
    try {
      await this.connection.workflowService.getSystemInfo({});
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private async start(type: string, workflowId: string, input: object): Promise<StartOutcome> {
    try {
      await this.client.workflow.start(type, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        // A retry after failure or cancellation reuses the business key; a running one is never duplicated.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      return 'started';
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already-running';
      throw error;
    }
  }
}
