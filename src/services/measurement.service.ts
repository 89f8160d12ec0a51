import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { uuid } from '../domain/common/field-rules';
import { Provenance } from '../domain/catalog/catalog-enums';
import type { BenchmarkRecord, EvaluationRecord } from '../domain/catalog/catalog-records';
import {
  type BenchmarkInput,
  type EvaluationInput,
  validateBenchmark,
  validateEvaluation,
} from '../domain/catalog/measurement-validation';
import { readableCondition, readableParam } from '../domain/governance/access';
import { BenchmarkEntity } from '../persistence/entities/benchmark.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import type { AuditService } from './audit.service';
import type { ProjectAccessService } from './project-access.service';
import { requireVersion } from './version-lookup';
import { PlainRows } from '../persistence/plain-rows';
import { relationRowsOfModels } from './plain-relation-reads';

export interface BenchmarkFilter {
  modelId?: string | null;
  versionId?: string | null;
  hardwareProfile?: string | null;
}

/**
 * Benchmarks (serving performance on hardware) and evaluations (quality scores) of versions. What a person types
 * in is RECORDED, never MEASURED: only our own runs measure (BenchmarkRunService, EvaluationRunService).
 */
export class MeasurementService {
  private readonly benchmarkRows: PlainRows<BenchmarkEntity>;

  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
    private readonly audit: AuditService,
  ) {
    this.benchmarkRows = new PlainRows(db, BenchmarkEntity);
  }

  recordBenchmark(caller: Caller, versionId: string, input: BenchmarkInput): Promise<BenchmarkRecord> {
    const valid = validateBenchmark(input);
    return this.db.transaction(async (tx) => {
      const version = await this.writable(caller, tx, versionId, 'Recording a benchmark');
      const repo = tx.getRepository(BenchmarkEntity);
      const row = await repo.save(
        repo.create({ ...valid, modelId: version.modelId, versionId: version.id, provenance: Provenance.RECORDED, operationId: null, recordedBy: caller.subject, recordedAt: new Date() }),
      );
      const { hardwareProfile, ttftP50Ms, ttftP99Ms, latencyP50Ms, latencyP99Ms, throughputTokensPerSecond } = valid;
      await this.audited(caller, tx, 'benchmark.recorded', row, { hardwareProfile, ttftP50Ms, ttftP99Ms, latencyP50Ms, latencyP99Ms, throughputTokensPerSecond });
      return row;
    });
  }

  recordEvaluation(caller: Caller, versionId: string, input: EvaluationInput): Promise<EvaluationRecord> {
    const valid = validateEvaluation(input);
    return this.db.transaction(async (tx) => {
      const version = await this.writable(caller, tx, versionId, 'Recording an evaluation');
      const repo = tx.getRepository(EvaluationEntity);
      const row = await repo.save(
        repo.create({ ...valid, modelId: version.modelId, versionId: version.id, provenance: Provenance.RECORDED, operationId: null, recordedBy: caller.subject, recordedAt: new Date() }),
      );
      await this.audited(caller, tx, 'evaluation.recorded', row, { benchmark: valid.benchmark, metric: valid.metric, score: valid.score, numShots: valid.numShots });
      return row;
    });
  }

  listBenchmarks(caller: Caller, filter: BenchmarkFilter, first: number): Promise<BenchmarkRecord[]> {
    const q = readable(caller, this.db.getRepository(BenchmarkEntity).createQueryBuilder('r'));
    if (filter.modelId) q.andWhere('r.model_id = :modelId', { modelId: uuid('modelId', filter.modelId) });
    if (filter.versionId) q.andWhere('r.version_id = :versionId', { versionId: uuid('versionId', filter.versionId) });
    if (filter.hardwareProfile) q.andWhere('r.hardware_profile = :hw', { hw: filter.hardwareProfile });
    return q.orderBy('r.recorded_at', 'DESC').addOrderBy('r.id', 'DESC').limit(first).getMany();
  }

  /* The four below feed the per-request loaders of nested fields (Model.benchmarks, Operation.benchmark, …). */

  /** Plain rows (no entity hydration): the batch behind every list's `benchmarks`. */
  benchmarksForModels(caller: Caller, modelIds: readonly string[]): Promise<BenchmarkRecord[]> {
    return relationRowsOfModels(this.db, caller, this.benchmarkRows, { table: 'benchmarks', alias: 'r', orderBy: 'r.recorded_at DESC, r.id DESC' }, modelIds);
  }

  /** What runs stored (a benchmark per BENCHMARK operation, an evaluation per task of an EVALUATION one). */
  benchmarksForOperations(caller: Caller, operationIds: readonly string[]): Promise<(BenchmarkRecord & { operationId: string | null })[]> {
    return readable(caller, this.db.getRepository(BenchmarkEntity).createQueryBuilder('r'))
      .andWhere('r.operation_id IN (:...ids)', { ids: [...operationIds] })
      .orderBy('r.recorded_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .getMany();
  }

  evaluationsForOperations(caller: Caller, operationIds: readonly string[]): Promise<(EvaluationRecord & { operationId: string | null })[]> {
    return readable(caller, this.db.getRepository(EvaluationEntity).createQueryBuilder('r'))
      .andWhere('r.operation_id IN (:...ids)', { ids: [...operationIds] })
      .orderBy('r.benchmark', 'ASC')
      .addOrderBy('r.recorded_at', 'DESC')
      .getMany();
  }

  evaluationsForModels(caller: Caller, modelIds: readonly string[]): Promise<EvaluationRecord[]> {
    return readable(caller, this.db.getRepository(EvaluationEntity).createQueryBuilder('r'))
      .andWhere('r.model_id IN (:...ids)', { ids: [...modelIds] })
      .orderBy('r.benchmark', 'ASC')
      .addOrderBy('r.recorded_at', 'DESC')
      .getMany();
  }

  /** The version, after checking the caller is an editor in its project as it is inside this transaction. */
  private async writable(caller: Caller, tx: EntityManager, versionId: string, action: string) {
    const id = uuid('versionId', versionId);
    await this.access.authorize(caller, 'Version', id, Role.EDITOR, action, tx);
    return requireVersion(tx, id);
  }

  private async audited(
    caller: Caller,
    tx: EntityManager,
    action: 'benchmark.recorded' | 'evaluation.recorded',
    row: { id: string; modelId: string; versionId: string },
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(tx, {
      action,
      actor: caller.subject,
      requestId: caller.requestId,
      modelId: row.modelId,
      versionId: row.versionId,
      subjectId: row.id,
      details: { ...details, provenance: Provenance.RECORDED },
    });
  }
}

/** Rows (alias `r`, with a model_id) of models the caller may read: narrowed in SQL, so a forgotten check shows nothing. */
function readable<T extends ObjectLiteral>(caller: Caller, q: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  const visible = readableCondition(caller, 'm', ':readable');
  return visible ? q.innerJoin(ModelEntity, 'm', 'm.id = r.model_id').andWhere(visible, { readable: readableParam(caller) }) : q;
}
