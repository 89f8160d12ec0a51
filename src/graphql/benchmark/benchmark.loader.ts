import DataLoader from 'dataloader';
import type { Caller } from '../../domain/auth/caller';
import type { BenchmarkRecord, EvaluationRecord } from '../../domain/catalog/catalog-records';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

/** Benchmarks and evaluations are read as the request's caller, so a nested list never shows another project's rows. */
export function measurementLoaders(services: Services, caller: () => Caller) {
  return {
    benchmarksByModel: new DataLoader<string, BenchmarkRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.benchmarksForModels(caller(), ids), (b) => b.modelId),
    ),
    evaluationsByModel: new DataLoader<string, EvaluationRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.evaluationsForModels(caller(), ids), (e) => e.modelId),
    ),
    benchmarksByOperation: new DataLoader<string, BenchmarkRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.benchmarksForOperations(caller(), ids), (b) => b.operationId ?? ''),
    ),
    evaluationsByOperation: new DataLoader<string, EvaluationRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.evaluationsForOperations(caller(), ids), (e) => e.operationId ?? ''),
    ),
  };
}
