import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { uuid } from '../domain/common/field-rules';
import type { BenchmarkRecord, EvaluationRecord } from '../domain/catalog/catalog-records';
import { readableCondition, readableParam } from '../domain/governance/access';
import { checkWindow, decodeHistoryCursor, encodeHistoryCursor, type HistoryKind, type HistoryOrder } from '../domain/measurements/history-cursor';
import { BenchmarkEntity } from '../persistence/entities/benchmark.entity';
import { EvaluationEntity } from '../persistence/entities/evaluation.entity';
import { ModelEntity } from '../persistence/entities/model.entity';
import type { ProjectAccessService } from './project-access.service';

/** What every history is filtered by: one model, optionally one version, provenance and a time window. */
export interface HistoryFilter {
  modelId: string;
  versionId?: string | null;
  provenance?: string | null;
  since?: Date | null;
  /** Exclusive. */
  until?: Date | null;
  order: HistoryOrder;
  first: number;
  after?: string | null;
}

export interface HistoryPage<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

// Microseconds in UTC, the exact value a cursor must carry to resume without skipping or repeating a row.
const CURSOR_TIME = `to_char(r.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A model's benchmark and evaluation results over time, paged by (recorded_at, id) with keyset cursors: the
 * history per model × hardware profile (benchmarks) or × evaluation (evaluations) that trend views read. A model the
 * caller may not read is NOT_FOUND, like one that does not exist; the rows are narrowed in SQL as well.
 */
export class MeasurementHistoryService {
  constructor(
    private readonly db: DataSource,
    private readonly access: ProjectAccessService,
  ) {}

  async benchmarks(caller: Caller, filter: HistoryFilter & { hardwareProfile?: string | null }): Promise<HistoryPage<BenchmarkRecord>> {
    const q = await this.base(caller, BenchmarkEntity, filter);
    if (filter.hardwareProfile) q.andWhere('r.hardware_profile = :hw', { hw: filter.hardwareProfile });
    return this.page(q, 'benchmark', filter);
  }

  async evaluations(caller: Caller, filter: HistoryFilter & { benchmark?: string | null; metric?: string | null }): Promise<HistoryPage<EvaluationRecord>> {
    const q = await this.base(caller, EvaluationEntity, filter);
    if (filter.benchmark) q.andWhere('r.benchmark = :benchmark', { benchmark: filter.benchmark });
    if (filter.metric) q.andWhere('r.metric = :metric', { metric: filter.metric });
    return this.page(q, 'evaluation', filter);
  }

  /** The hardware profiles a model was benchmarked on (what a history is split by), alphabetically. */
  hardwareProfiles(caller: Caller, modelId: string): Promise<string[]> {
    return this.distinct(caller, 'benchmarks', 'hardware_profile', modelId);
  }

  /** The evaluations a model has results on (mmlu, humaneval, …), alphabetically. */
  evaluationNames(caller: Caller, modelId: string): Promise<string[]> {
    return this.distinct(caller, 'evaluations', 'benchmark', modelId);
  }

  /**
   * The distinct values of `column` among a model's rows by a loose index scan over (model_id, column, …): one index
   * probe per value, not a scan of the whole history (200,000 runs of one model: DISTINCT took ~30 ms a request).
   */
  private async distinct(caller: Caller, table: 'benchmarks' | 'evaluations', column: 'hardware_profile' | 'benchmark', modelId: string): Promise<string[]> {
    const visible = readableCondition(caller, 'm', '$2');
    const readable = visible ? ` AND EXISTS (SELECT 1 FROM models m WHERE m.id = $1 AND ${visible})` : '';
    const rows = (await this.db.query(
      `WITH RECURSIVE v(value) AS (
         (SELECT ${column} FROM ${table} WHERE model_id = $1 ORDER BY ${column} LIMIT 1)
         UNION ALL
         SELECT (SELECT ${column} FROM ${table} WHERE model_id = $1 AND ${column} > v.value ORDER BY ${column} LIMIT 1) FROM v WHERE v.value IS NOT NULL
       ) SELECT value FROM v WHERE value IS NOT NULL${readable}`,
      visible ? [uuid('modelId', modelId), readableParam(caller)] : [uuid('modelId', modelId)],
    )) as { value: string }[];
    return rows.map((r) => r.value);
  }

  private async base<T extends ObjectLiteral>(caller: Caller, entity: new () => T, filter: HistoryFilter): Promise<SelectQueryBuilder<T>> {
    const modelId = uuid('modelId', filter.modelId);
    checkWindow(filter.since ?? null, filter.until ?? null);
    await this.access.readableModelId(caller, modelId);
    const q = this.db.getRepository(entity).createQueryBuilder('r').where('r.model_id = :modelId', { modelId });
    const visible = readableCondition(caller, 'm', ':readable');
    if (visible) q.innerJoin(ModelEntity, 'm', 'm.id = r.model_id').andWhere(visible, { readable: readableParam(caller) });
    if (filter.versionId) q.andWhere('r.version_id = :versionId', { versionId: uuid('versionId', filter.versionId) });
    if (filter.provenance) q.andWhere('r.provenance = :provenance', { provenance: filter.provenance });
    if (filter.since) q.andWhere('r.recorded_at >= :since', { since: filter.since });
    if (filter.until) q.andWhere('r.recorded_at < :until', { until: filter.until });
    return q;
  }

  private async page<T extends { id: string }>(q: SelectQueryBuilder<T>, kind: HistoryKind, filter: HistoryFilter): Promise<HistoryPage<T>> {
    const direction = filter.order === 'newest' ? 'DESC' : 'ASC';
    if (filter.after) {
      const after = decodeHistoryCursor(filter.after, kind, filter.order);
      q.andWhere(`(r.recorded_at, r.id) ${direction === 'DESC' ? '<' : '>'} (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))`, { afterAt: after.recordedAt, afterId: after.id });
    }
    q.addSelect(CURSOR_TIME, 'cursor_at').orderBy('r.recorded_at', direction).addOrderBy('r.id', direction).limit(filter.first + 1);
    const { entities, raw } = await q.getRawAndEntities<{ cursor_at: string }>();
    const edges = entities.slice(0, filter.first).map((node, i) => ({ node, cursor: encodeHistoryCursor(kind, filter.order, { recordedAt: raw[i].cursor_at, id: node.id }) }));
    return { edges, hasNextPage: entities.length > filter.first, endCursor: edges.at(-1)?.cursor ?? null };
  }
}
