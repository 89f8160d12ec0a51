import type { ImportWorkflowInput, LocalCacheWorkflowInput } from '../domain/onboarding/workflow-inputs';

export type StartOutcome = 'started' | 'already-running';

/** How services start and stop durable work without knowing Temporal (src/temporal implements it). */
export interface WorkflowGateway {
  startImport(workflowId: string, input: ImportWorkflowInput): Promise<StartOutcome>;
  startLocalCache(workflowId: string, input: LocalCacheWorkflowInput): Promise<StartOutcome>;
  cancel(workflowId: string): Promise<void>;
  healthy(): Promise<boolean>;
}
