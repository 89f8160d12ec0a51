import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { In } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
import { readableCondition, readableParam } from '../domain/governance/access';
import { ModelEntity } from '../persistence/entities/model.entity';
import { type OperationKind, type OperationRecord, OperationStatus, TERMINAL_STATUSES } from '../domain/onboarding/operation';
import { OperationEntity } from '../persistence/entities/operation.entity';
import { publishEvent } from './events/hub-events';

export interface OperationPatch {
  status?: OperationStatus;
  progress?: number;
  bytesDone?: bigint;
  bytesTotal?: bigint | null;
  currentStep?: string | null;
  message?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export interface NewOperation {
  kind: OperationKind;
  modelId: string;
  versionId: string | null;
  workflowId: string;
  input: Record<string, unknown>;
  createdBy: string;
}

/**
 * Long-running steps as rows: progress written here and pushed (NOTIFY) to every API process.
 *
 * `get`, `forModels` and `unsettled` read for a caller, narrowed in SQL to the projects it reads. The other methods
 * are row primitives of other use cases, called inside their transaction after they authorized the caller (or by
 * the worker settling what a user started): they take that transaction, not a second caller.
 */
export class OperationService {
  constructor(private readonly db: DataSource) {}

  /** NOT_FOUND for an id that does not exist and for an operation of a project the caller cannot read alike. */
  async get(caller: Caller, id: string): Promise<OperationRecord> {
    const found = await this.scoped(caller).andWhere('o.id = :id', { id: uuid('id', id) }).getOne();
    if (!found) throw new NotFoundError('Operation', id);
    return found;
  }

  forModels(caller: Caller, modelIds: readonly string[]): Promise<OperationRecord[]> {
    if (modelIds.length === 0) return Promise.resolve([]);
    return this.scoped(caller).andWhere('o.model_id IN (:...modelIds)', { modelIds: [...modelIds] }).orderBy('o.created_at', 'DESC').getMany();
  }

  /**
   * Unsettled operations counted by kind and status, across projects: the queue depth /metrics exports to
   * operators (counts only, no row of any project). Reads the partial index on live operations.
   */
  async openCounts(): Promise<{ kind: string; status: string; count: number }[]> {
    const rows = (await this.db.query(
      `SELECT kind, status, count(*)::int AS count FROM operations WHERE status IN ('PENDING', 'RUNNING') GROUP BY kind, status`,
    )) as { kind: string; status: string; count: number }[];
    return rows;
  }

  /** Operations joined to their model, keeping only those the caller reads (no join for one that reads all). */
  private scoped(caller: Caller): SelectQueryBuilder<OperationEntity> {
    const q = this.db.getRepository(OperationEntity).createQueryBuilder('o');
    const visible = readableCondition(caller, 'm', ':readable');
    if (visible) q.innerJoin(ModelEntity, 'm', 'm.id = o.model_id').where(visible, { readable: readableParam(caller) });
    return q;
  }

  /** The operation still running for a workflow id, if any. */
  live(manager: EntityManager, workflowId: string): Promise<OperationEntity | null> {
    return manager.getRepository(OperationEntity).findOne({
      where: { workflowId, status: In([OperationStatus.PENDING, OperationStatus.RUNNING]) },
    });
  }

  /**
   * Locks the operation row (after the model's: one lock order) and says whether it is still live. Settling
   * code acts only on a live row; on an ended one it returns what was recorded (compare-and-set).
   */
  async lockForSettling(manager: EntityManager, id: string): Promise<OperationEntity | null> {
    return manager.getRepository(OperationEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Operations still PENDING/RUNNING whose row has not moved for `quietMs` (the reconciler's candidates). */
  unsettled(caller: Caller, quietMs: number, limit = 200): Promise<OperationEntity[]> {
    return this.scoped(caller)
      .andWhere('o.status IN (:...live)', { live: [OperationStatus.PENDING, OperationStatus.RUNNING] })
      .andWhere(`o.updated_at < now() - make_interval(secs => :quiet)`, { quiet: quietMs / 1000 })
      .orderBy('o.updated_at', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The newest operation of a version (only it may be retried). */
  latestForVersion(manager: EntityManager, versionId: string): Promise<OperationEntity | null> {
    return manager.getRepository(OperationEntity).findOne({ where: { versionId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  async create(manager: EntityManager, op: NewOperation): Promise<OperationRecord> {
    const repo = manager.getRepository(OperationEntity);
    const saved = await repo.save(
      repo.create({ ...op, status: OperationStatus.PENDING, progress: 0, bytesDone: 0n, bytesTotal: null, sequence: 0 }),
    );
    await publishEvent(manager, { kind: 'operation', modelId: saved.modelId, operationId: saved.id, sequence: saved.sequence });
    return saved;
  }

  /** Applies a patch unless the operation already ended; a terminal status stamps completedAt. */
  async update(id: string, patch: OperationPatch, manager: EntityManager = this.db.manager): Promise<OperationRecord | null> {
    const terminal = patch.status !== undefined && TERMINAL_STATUSES.has(patch.status);
    const result = await manager
      .createQueryBuilder()
      .update(OperationEntity)
      .set({
        ...patch,
        ...(patch.progress !== undefined ? { progress: Math.min(1, Math.max(0, patch.progress)) } : {}),
        ...(terminal ? { completedAt: () => 'now()' } : {}),
        sequence: () => 'sequence + 1',
      })
      .where('id = :id AND status NOT IN (:...ended)', { id, ended: [...TERMINAL_STATUSES] })
      .execute();
    if (!result.affected) return null;
    const updated = await manager.getRepository(OperationEntity).findOneByOrFail({ id });
    await publishEvent(manager, { kind: 'operation', modelId: updated.modelId, operationId: updated.id, sequence: updated.sequence });
    return updated;
  }
}
