import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { NotFoundError } from '../domain/common/domain-error';
import { uuid } from '../domain/common/field-rules';
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

/** Long-running steps as rows: progress written here and pushed (NOTIFY) to every API process. */
export class OperationService {
  constructor(private readonly db: DataSource) {}

  async get(id: string): Promise<OperationRecord> {
    const found = await this.db.getRepository(OperationEntity).findOneBy({ id: uuid('id', id) });
    if (!found) throw new NotFoundError('Operation', id);
    return found;
  }

  forModels(modelIds: readonly string[]): Promise<OperationRecord[]> {
    return this.db.getRepository(OperationEntity).find({ where: { modelId: In([...modelIds]) }, order: { createdAt: 'DESC' } });
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
  unsettled(quietMs: number, limit = 200): Promise<OperationEntity[]> {
    return this.db
      .getRepository(OperationEntity)
      .createQueryBuilder('o')
      .where('o.status IN (:...live)', { live: [OperationStatus.PENDING, OperationStatus.RUNNING] })
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
