import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { uuid } from '../domain/common/field-rules';
import type { BenchmarkRecord, EvaluationRecord } from '../domain/catalog/catalog-records';
import {
  type BenchmarkInput,
  type EvaluationInput,
  validateBenchmark,
  validateEvaluation,
} from '../domain/catalog/measurement-validation';
import { EVERYTHING, type ReadScope, scopeCondition } from '../domain/governance/access';
import { BenchmarkEntity } from '../persistence/entities/benchmark.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import { requireVersion } from './version-lookup';

export interface BenchmarkFilter {
  modelId?: string | null;
  versionId?: string | null;
  hardwareProfile?: string | null;
}

/** Benchmarks (serving performance on hardware) and evaluations (quality scores) of versions. */
export class MeasurementService {
  constructor(private readonly db: DataSource) {}

  recordBenchmark(versionId: string, input: BenchmarkInput, actor: string): Promise<BenchmarkRecord> {
    const valid = validateBenchmark(input);
    return this.db.transaction(async (tx) => {
      const version = await requireVersion(tx, versionId);
      const repo = tx.getRepository(BenchmarkEntity);
      return repo.save(
        repo.create({ ...valid, modelId: version.modelId, versionId: version.id, recordedBy: actor, recordedAt: new Date() }),
      );
    });
  }

  recordEvaluation(versionId: string, input: EvaluationInput, actor: string): Promise<EvaluationRecord> {
    const valid = validateEvaluation(input);
    return this.db.transaction(async (tx) => {
      const version = await requireVersion(tx, versionId);
      const repo = tx.getRepository(EvaluationEntity);
      return repo.save(
        repo.create({ ...valid, modelId: version.modelId, versionId: version.id, recordedBy: actor, recordedAt: new Date() }),
      );
    });
  }

  listBenchmarks(filter: BenchmarkFilter, first: number, scope: ReadScope = EVERYTHING): Promise<BenchmarkRecord[]> {
    const q = this.db.getRepository(BenchmarkEntity).createQueryBuilder('b');
    const visible = scopeCondition(scope, 'm', ':readable');
    if (visible) q.innerJoin(ModelEntity, 'm', 'm.id = b.model_id').andWhere(visible, { readable: scope.projects });
    if (filter.modelId) q.andWhere('b.model_id = :modelId', { modelId: uuid('modelId', filter.modelId) });
    if (filter.versionId) q.andWhere('b.version_id = :versionId', { versionId: uuid('versionId', filter.versionId) });
    if (filter.hardwareProfile) q.andWhere('b.hardware_profile = :hw', { hw: filter.hardwareProfile });
    return q.orderBy('b.recorded_at', 'DESC').addOrderBy('b.id', 'DESC').limit(first).getMany();
  }

  benchmarksForModels(modelIds: readonly string[]): Promise<BenchmarkRecord[]> {
    return this.db.getRepository(BenchmarkEntity).find({
      where: { modelId: In([...modelIds]) },
      order: { recordedAt: 'DESC', id: 'DESC' },
    });
  }

  /** What runs stored (a benchmark per BENCHMARK operation, an evaluation per task of an EVALUATION one). */
  benchmarksForOperations(operationIds: readonly string[]): Promise<(BenchmarkRecord & { operationId: string | null })[]> {
    return this.db.getRepository(BenchmarkEntity).find({ where: { operationId: In([...operationIds]) }, order: { recordedAt: 'DESC', id: 'DESC' } });
  }

  evaluationsForOperations(operationIds: readonly string[]): Promise<(EvaluationRecord & { operationId: string | null })[]> {
    return this.db.getRepository(EvaluationEntity).find({ where: { operationId: In([...operationIds]) }, order: { benchmark: 'ASC', recordedAt: 'DESC' } });
  }

  evaluationsForModels(modelIds: readonly string[]): Promise<EvaluationRecord[]> {
    return this.db.getRepository(EvaluationEntity).find({
      where: { modelId: In([...modelIds]) },
      order: { benchmark: 'ASC', recordedAt: 'DESC' },
    });
  }
}
