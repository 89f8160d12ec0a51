import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config/config';
import type { ImportWorkflowInput, LocalCacheWorkflowInput } from '../domain/onboarding/workflow-inputs';
import type { StartOutcome, WorkflowGateway } from '../services/workflow-gateway';
import { WORKFLOW_TYPES } from './task-queues';

/** WorkflowGateway over a Temporal client: business-key workflow ids, so a repeated start finds the running one. */
export class TemporalGateway implements WorkflowGateway {
  private constructor(
    private readonly connection: Connection,
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  static async connect(address: string, temporal: Config['temporal']): Promise<TemporalGateway> {
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: temporal.namespace });
    return new TemporalGateway(connection, client, temporal.taskQueue);
  }

  startImport(workflowId: string, input: ImportWorkflowInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.import, workflowId, input);
  }

  startLocalCache(workflowId: string, input: LocalCacheWorkflowInput): Promise<StartOutcome> {
    return this.start(WORKFLOW_TYPES.localCache, workflowId, input);
  }

  async cancel(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).cancel();
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
