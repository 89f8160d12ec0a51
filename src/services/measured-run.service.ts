import type { LoadTarget } from '../benchmarking/load-types';
import type { AddressPolicy } from '../net/address-policy';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import type { StoredTarget, TargetInput } from '../domain/benchmarking/benchmark-request';
import type { RunIds } from '../domain/benchmarking/run-ids';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { isLive, OperationKind, type OperationRecord, OperationStatus, workflowIds } from '../domain/onboarding/operation';
import { VersionEntity } from '../persistence/entities/version.entity';
import type { SecretSealer } from '../net/sealed-secret';
import { lockModel } from './model-lock';
import { lockVersion } from './model-transition';
import type { OperationService } from './operation.service';
import type { ProjectAccessService } from './project-access.service';
import type { WorkflowGateway } from './workflow-gateway';

export type { RunIds };

export type RunKind = OperationKind.BENCHMARK | OperationKind.EVALUATION;

const CLOSE_WAIT_MS = 5000;
const CLOSE_POLL_MS = 100;

/**
 * A run's progress and outcome are written by ModelHub itself (the workflow's activities, a cancel it carries out),
 * acting on a run a user was allowed to start: a user caller reaching these is a wiring mistake.
 */
function settledBySystem(caller: Caller): void {
  if (caller.kind !== 'system') throw new ForbiddenError('A run is settled by ModelHub itself, not by a user');
}

/** Versions whose files passed verification; a draft or an import in flight has nothing settled to measure. */
const MEASURABLE = new Set<string>([LifecycleStage.VERIFIED, LifecycleStage.EVALUATED, LifecycleStage.PUBLISHED]);

/**
 * Intent and settling shared by benchmark and evaluation runs: one live run per version and kind (the workflow id
 * is the business key), the endpoint's API key sealed before it reaches the row, settling compare-and-set. Asking
 * for a run needs EDITOR in the version's project; settling is the system's (the workflow's activities).
 */
export class MeasuredRunService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly operations: OperationService,
    private readonly workflows: WorkflowGateway,
    private readonly sealer: SecretSealer | null,
    /** The URL-import destination policy (URL_IMPORT_ALLOW): loopback, private and metadata addresses are refused. */
    private readonly preflight: (url: string) => Promise<void>,
    /** The same rules, checked again on every connection the worker opens (DNS may answer differently by then). */
    private readonly policy: AddressPolicy | null = null,
  ) {}

  /** Checks the endpoint's address (a target is an outbound request the worker makes for the caller) and seals its key. */
  async sealTarget(target: TargetInput & { url: string }): Promise<StoredTarget> {
    await this.preflight(target.url);
    if (target.apiKey && !this.sealer) throw new ValidationError('target.apiKey', 'API keys need SECRETS_KEY to be configured on the server');
    return { url: target.url, model: target.model, sealedApiKey: target.apiKey ? (this.sealer as SecretSealer).seal(target.apiKey) : null };
  }

  /** The destination policy alone, for endpoints the server configures (the JUDGE tasks' judge). */
  checkEndpoint(url: string): Promise<void> {
    return this.preflight(url);
  }

  /** What every connection of a run is checked against (URL_IMPORT_ALLOW); null only where no config is given. */
  connectionPolicy(): AddressPolicy | null {
    return this.policy;
  }

  /** The target as the worker connects with it: the key opened just before use, never logged or stored. */
  openTarget(stored: StoredTarget): LoadTarget {
    if (stored.sealedApiKey && !this.sealer) throw new ValidationError('target.apiKey', 'the worker has no SECRETS_KEY to open the API key');
    return { baseUrl: stored.url, model: stored.model, apiKey: stored.sealedApiKey ? (this.sealer as SecretSealer).open(stored.sealedApiKey) : null, policy: this.policy };
  }

  /** Checks who asks before anything else: a stranger learns nothing from a refused target or suite. */
  async authorizeRequest(caller: Caller, kind: RunKind, versionId: string): Promise<void> {
    await this.access.authorize(caller, 'Version', uuid('versionId', versionId), Role.EDITOR, kind === OperationKind.BENCHMARK ? 'Running a benchmark' : 'Running an evaluation');
  }

  async request(caller: Caller, kind: RunKind, versionId: string, input: Record<string, unknown>): Promise<OperationRecord> {
    const workflowId = kind === OperationKind.BENCHMARK ? workflowIds.benchmark : workflowIds.evaluation;
    const { operation, fresh } = await this.db.transaction(async (tx) => {
      const id = uuid('versionId', versionId);
      // The project as it is inside this transaction (a concurrent move is seen or waited for).
      await this.access.authorize(caller, 'Version', id, Role.EDITOR, kind === OperationKind.BENCHMARK ? 'Running a benchmark' : 'Running an evaluation', tx);
      const found = await tx.getRepository(VersionEntity).findOneBy({ id });
      if (!found) throw new NotFoundError('Version', versionId);
      await lockModel(tx, found.modelId);
      const version = await lockVersion(tx, found.id);
      if (!version) throw new NotFoundError('Version', versionId);
      const live = await this.operations.live(tx, workflowId(version.id));
      if (live) return { operation: live as OperationRecord, fresh: false };
      if (!MEASURABLE.has(version.status)) {
        throw new ConflictError(`Version ${version.version} is ${version.status}; only verified, evaluated or published versions are measured`, { status: version.status });
      }
      const operation = await this.operations.create(tx, { kind, modelId: version.modelId, versionId: version.id, workflowId: workflowId(version.id), input, createdBy: caller.subject });
      return { operation, fresh: true };
    });
    return fresh ? this.start(kind, operation) : operation;
  }

  /** The operation's stored plan while it is live; null once settled (a late retry does nothing). */
  async plan(caller: Caller, operationId: string): Promise<OperationRecord | null> {
    const operation = await this.operations.get(caller, operationId);
    return isLive(operation.status) ? operation : null;
  }

  async progress(caller: Caller, operationId: string, progress: number, step: string, message: string | null): Promise<void> {
    settledBySystem(caller);
    await this.operations.update(operationId, { status: OperationStatus.RUNNING, progress, currentStep: step, message });
  }

  /** Runs `write` and marks the operation SUCCEEDED in one transaction, only while it is live. */
  async settle(caller: Caller, ids: RunIds, message: string, write: (tx: EntityManager) => Promise<void>): Promise<boolean> {
    settledBySystem(caller);
    return this.db.transaction(async (tx) => {
      const operation = await this.operations.lockForSettling(tx, ids.operationId);
      if (!operation || !isLive(operation.status)) return false;
      await write(tx);
      await this.operations.update(ids.operationId, { status: OperationStatus.SUCCEEDED, progress: 1, currentStep: 'done', message }, tx);
      return true;
    });
  }

  async fail(caller: Caller, ids: RunIds, code: string, message: string): Promise<void> {
    settledBySystem(caller);
    return this.end(ids, OperationStatus.FAILED, code, message);
  }

  async cancelled(caller: Caller, ids: RunIds): Promise<void> {
    settledBySystem(caller);
    return this.end(ids, OperationStatus.CANCELLED, 'CANCELLED', 'cancelled: the load stopped');
  }

  private async end(ids: RunIds, status: OperationStatus, code: string, message: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const operation = await this.operations.lockForSettling(tx, ids.operationId);
      if (!operation || !isLive(operation.status)) return;
      await this.operations.update(ids.operationId, { status, errorCode: code, errorMessage: message.slice(0, 20_000), currentStep: null }, tx);
    });
  }

  private async start(kind: RunKind, operation: OperationRecord): Promise<OperationRecord> {
    const ids: RunIds = { operationId: operation.id, modelId: operation.modelId, versionId: operation.versionId as string };
    const startOnce = () => (kind === OperationKind.BENCHMARK ? this.workflows.startBenchmark(operation.workflowId, ids) : this.workflows.startEvaluation(operation.workflowId, ids));
    let started;
    try {
      started = await startOnce();
      // The previous run settles its row a moment before its workflow closes: a run asked for in between waits for that.
      for (let waited = 0; started === 'already-running' && waited < CLOSE_WAIT_MS; waited += CLOSE_POLL_MS) {
        await sleep(CLOSE_POLL_MS);
        if ((await this.workflows.describe(operation.workflowId)) !== 'running') started = await startOnce();
      }
    } catch (error) {
      await this.end(ids, OperationStatus.FAILED, 'WORKFLOW_START_FAILED', `could not start the workflow: ${(error as Error).message}`);
      throw error;
    }
    if (started === 'already-running') {
      await this.end(ids, OperationStatus.FAILED, 'ALREADY_RUNNING', 'the previous run of this version was still closing; start again');
      throw new ConflictError('The previous run on this version is still closing; start again in a few seconds', { operationId: operation.id });
    }
    return operation;
  }
}
