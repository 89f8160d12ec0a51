import { systemCaller } from '../domain/auth/caller';
import { isLive, OperationKind, OperationStatus } from '../domain/onboarding/operation';
import type { OperationEntity } from '../persistence/entities/operation.entity';
import type { ImportOutcomeService } from './import-outcome.service';
import type { LocalCacheService } from './local-cache.service';
import type { OperationService } from './operation.service';
import type { ScanRequestService } from './scan-request.service';
import type { WorkflowGateway, WorkflowState } from './workflow-gateway';

export interface ReconcileReport {
  checked: number;
  settled: { operationId: string; workflow: WorkflowState }[];
}

/** The reconciler acts on its own (a schedule entry point): it reads every project's operations, and says so. */
export const RECONCILER = systemCaller('reconciler');

/**
 * Settles operations whose workflow closed without settling them (terminated from Temporal UI, timed out, lost
 * with a wiped server, a start that died between the row and the workflow), so no operation says RUNNING
 * forever. Runs on a timer in every worker; settling is compare-and-set, so several workers never clash.
 */
export class OperationReconciler {
  constructor(
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    private readonly outcomes: ImportOutcomeService,
    private readonly caches: LocalCacheService,
    private readonly scans?: ScanRequestService,
  ) {}

  /** `quietMs`: only rows unchanged that long, so a start still in flight is never mistaken for a lost one. */
  async runOnce(quietMs = 60_000): Promise<ReconcileReport> {
    const candidates = await this.operations.unsettled(RECONCILER, quietMs);
    const report: ReconcileReport = { checked: candidates.length, settled: [] };
    for (const operation of candidates) {
      const workflow = await this.workflows.describe(operation.workflowId);
      if (workflow === 'running' || !isLive(operation.status)) continue;
      await this.settle(operation, workflow);
      report.settled.push({ operationId: operation.id, workflow });
    }
    return report;
  }

  private async settle(operation: OperationEntity, workflow: WorkflowState): Promise<void> {
    const cancelled = workflow === 'cancelled';
    const message =
      workflow === 'not-found'
        ? 'its workflow was never started or no longer exists; settled by the reconciler'
        : `its workflow ended ${workflow} without settling the operation; settled by the reconciler`;
    const code = `WORKFLOW_${workflow.toUpperCase().replace('-', '_')}`;
    if (operation.kind === OperationKind.IMPORT && operation.versionId) {
      const ids = { operationId: operation.id, modelId: operation.modelId, versionId: operation.versionId };
      await (cancelled ? this.outcomes.cancelled(ids) : this.outcomes.fail(ids, code, message));
    } else if (operation.kind === OperationKind.LOCAL_CACHE && operation.versionId && typeof operation.input.cacheId === 'string') {
      const input = { operationId: operation.id, modelId: operation.modelId, versionId: operation.versionId, cacheId: operation.input.cacheId };
      await this.caches.fail(input, message, cancelled);
    } else if (operation.kind === OperationKind.SCAN && operation.versionId && this.scans) {
      const ids = { operationId: operation.id, modelId: operation.modelId, versionId: operation.versionId };
      await (cancelled ? this.scans.cancelled(ids) : this.scans.fail(ids, code, message));
    } else {
      await this.operations.update(operation.id, { status: cancelled ? OperationStatus.CANCELLED : OperationStatus.FAILED, errorCode: code, errorMessage: message });
    }
  }
}
