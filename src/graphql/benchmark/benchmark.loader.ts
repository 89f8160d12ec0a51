import DataLoader from 'dataloader';
import type { BenchmarkRecord, EvaluationRecord } from '../../domain/catalog/catalog-records';
import type { Services } from '../../services/services';
import { manyPer } from '../loader-helpers';

export function measurementLoaders(services: Services) {
  return {
    benchmarksByModel: new DataLoader<string, BenchmarkRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.benchmarksForModels(ids), (b) => b.modelId),
    ),
    evaluationsByModel: new DataLoader<string, EvaluationRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.evaluationsForModels(ids), (e) => e.modelId),
    ),
    benchmarksByOperation: new DataLoader<string, BenchmarkRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.benchmarksForOperations(ids), (b) => b.operationId ?? ''),
    ),
    evaluationsByOperation: new DataLoader<string, EvaluationRecord[]>(async (ids) =>
      manyPer(ids, await services.measurements.evaluationsForOperations(ids), (e) => e.operationId ?? ''),
    ),
  };
}
