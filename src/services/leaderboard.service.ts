import type { DataSource } from 'typeorm';
import { ValidationError } from '../domain/common/domain-error';
import { BENCHMARK_METRICS, type LeaderboardMetric, MetricDirection, resolveLeaderboardMetric } from '../domain/leaderboard/leaderboard-metric';
import { decodeLeaderboardCursor, encodeLeaderboardCursor } from '../domain/leaderboard/leaderboard-cursor';
import { type ParetoCandidate, paretoFront } from '../domain/leaderboard/pareto-front';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import type { Caller } from '../domain/auth/caller';
import { isProvenance, Provenance } from '../domain/catalog/catalog-enums';
import { metricsOffScale } from '../domain/measurements/score-ranges';
import { readableCondition, readableParam } from '../domain/governance/access';

export interface LeaderboardQuery {
  metric: string;
  architecture?: string | null;
  maxParams?: bigint | null;
  hardwareProfile?: string | null;
  minParams?: bigint | null;
  /** Results of this provenance only; none given: MEASURED and REPORTED (RECORDED only when asked for). */
  provenance?: string | null;
  /** Models carrying every one of these tags. */
  tags?: readonly string[] | null;
  /** Serving metrics: only runs whose P99 TTFT stays under this bound ("tokens/s at P99 TTFT < 500 ms"). */
  maxTtftP99Ms?: number | null;
  first: number;
  /** A cursor from an earlier page of the same metric's board. */
  after?: string | null;
  /** Only these models (the Pareto front's quality side, narrowed to the models measured on the performance side). */
  modelIds?: readonly string[];
}

export interface LeaderboardRow {
  modelId: string;
  modelName: string;
  value: number;
  versionId: string;
  hardwareProfile: string | null;
  provenance: Provenance;
  recordedAt: Date;
}

export interface LeaderboardResult {
  metric: LeaderboardMetric;
  /** Competition ranks over the whole board (1, 1, 3), whichever page an entry is on. */
  entries: { rank: number; entry: LeaderboardRow; cursor: string }[];
  hasNextPage: boolean;
}

const MAX_FILTER_TAGS = 20;

const BENCHMARK_COLUMNS: Record<string, string> = {
  ttft_p50_ms: 'ttft_p50_ms',
  ttft_p99_ms: 'ttft_p99_ms',
  latency_p50_ms: 'latency_p50_ms',
  latency_p99_ms: 'latency_p99_ms',
  throughput_tokens_per_second: 'throughput_tokens_per_second',
};

interface RawRow {
  model_id: string;
  model_name: string;
  version_id: string;
  value: number;
  value_text: string;
  rank: number;
  hardware_profile: string | null;
  provenance: Provenance;
  recorded_at: Date;
}

/**
 * What a board ranks when no provenance is asked for: our runs and upstream cards (each entry says which), never
 * numbers typed in by hand, which nothing vouches for.
 */
/** Evaluation names listed in an unknown metric's refusal. */
const KNOWN_METRICS_SHOWN = 50;

const DEFAULT_PROVENANCES: readonly Provenance[] = [Provenance.MEASURED, Provenance.REPORTED];

/** Each model's best result for one metric, ranked; archived models and models the caller may not read are left out. */
export class LeaderboardService {
  constructor(private readonly db: DataSource) {}

  async leaderboard(caller: Caller, query: LeaderboardQuery): Promise<LeaderboardResult> {
    const metric = resolveLeaderboardMetric(query.metric);
    if (query.maxParams != null && query.maxParams < 0n) throw new ValidationError('maxParams', 'must not be negative');
    if (query.minParams != null && query.minParams < 0n) throw new ValidationError('minParams', 'must not be negative');
    if (query.provenance && !isProvenance(query.provenance)) throw new ValidationError('provenance', 'must be MEASURED, RECORDED or REPORTED');
    // Every tag narrows the board: dropping some silently would answer a different question than the one asked.
    if (query.tags && query.tags.length > MAX_FILTER_TAGS) throw new ValidationError('tags', `at most ${MAX_FILTER_TAGS} tags`);
    if (query.tags?.some((tag) => tag.length > 64)) throw new ValidationError('tags', 'a tag is at most 64 characters');
    for (const [field, value] of [['architecture', query.architecture], ['hardwareProfile', query.hardwareProfile]] as const) {
      if (value && value.length > 300) throw new ValidationError(field, 'must be at most 300 characters');
    }
    const params: unknown[] = [LifecycleStage.ARCHIVED];
    const where: string[] = ['m.status <> $1'];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    const visible = readableCondition(caller, 'm', '?');
    if (visible) add(visible, readableParam(caller));
    if (query.modelIds) add('m.id = ANY(?::uuid[])', [...query.modelIds]);
    if (query.architecture) add('lower(m.architecture) = lower(?)', query.architecture);
    if (query.maxParams != null) add('m.parameter_count <= ?', query.maxParams.toString());
    if (query.minParams != null) add('m.parameter_count >= ?', query.minParams.toString());
    add('r.provenance = ANY(?::text[])', query.provenance ? [query.provenance] : [...DEFAULT_PROVENANCES]);
    if (query.tags?.length) add('m.tags @> ?::text[]', [...query.tags]);
    const dir = metric.direction === MetricDirection.HIGHER_IS_BETTER ? 'DESC' : 'ASC';
    let source: string;
    if (metric.kind === 'benchmark') {
      const column = BENCHMARK_COLUMNS[metric.name];
      where.push(`r.${column} IS NOT NULL`);
      if (query.hardwareProfile) add('r.hardware_profile = ?', query.hardwareProfile);
      if (query.maxTtftP99Ms != null) add('r.ttft_p99_ms < ?', query.maxTtftP99Ms);
      source = `SELECT DISTINCT ON (r.model_id) r.model_id, m.name AS model_name, r.version_id, r.${column}::float8 AS value,
                       r.hardware_profile, r.provenance, r.recorded_at
                  FROM benchmarks r JOIN models m ON m.id = r.model_id
                 WHERE ${where.join(' AND ')}
                 ORDER BY r.model_id, r.${column} ${dir}, r.recorded_at DESC`;
    } else {
      add('r.benchmark = ?', metric.name);
      // One scale per board: rows recorded with a metric of another scale (perplexity under mmlu) are not ranked.
      add('(r.metric IS NULL OR NOT (r.metric = ANY(?::text[])))', metricsOffScale(metric.name));
      source = `SELECT DISTINCT ON (r.model_id) r.model_id, m.name AS model_name, r.version_id, r.score::float8 AS value,
                       NULL::text AS hardware_profile, r.provenance, r.recorded_at
                  FROM evaluations r JOIN models m ON m.id = r.model_id
                 WHERE ${where.join(' AND ')}
                 ORDER BY r.model_id, r.score DESC, r.recorded_at DESC`;
    }
    // Ranks are taken over every model's best before the page is cut, so page 2 continues page 1's ranks.
    let page = '';
    if (query.after) {
      const cursor = decodeLeaderboardCursor(query.after, metric.name);
      params.push(cursor.value, cursor.modelName, cursor.modelId);
      const [v, n, i] = [params.length - 2, params.length - 1, params.length];
      page = `WHERE value ${dir === 'DESC' ? '<' : '>'} $${v}::float8 OR (value = $${v}::float8 AND (model_name, model_id::text) > ($${n}, $${i}))`;
    }
    params.push(query.first + 1);
    const rows: RawRow[] = await this.db.query(
      `SELECT * FROM (SELECT best.*, best.value::text AS value_text, (rank() OVER (ORDER BY best.value ${dir}))::int AS rank FROM (${source}) best) ranked
        ${page} ORDER BY value ${dir}, model_name, model_id::text LIMIT $${params.length}`,
      params,
    );
    const entries = rows.slice(0, query.first).map((r) => ({
      rank: r.rank,
      cursor: encodeLeaderboardCursor({ metric: metric.name, value: r.value_text, modelName: r.model_name, modelId: r.model_id }),
      entry: {
        modelId: r.model_id,
        modelName: r.model_name,
        versionId: r.version_id,
        value: Number(r.value),
        hardwareProfile: r.hardware_profile,
        provenance: r.provenance,
        recordedAt: r.recorded_at,
      },
    }));
    if (entries.length === 0 && !query.after && metric.kind === 'evaluation') await this.requireKnownMetric(caller, metric.name);
    return { metric, entries, hasNextPage: rows.length > query.first };
  }

  /**
   * An empty board for a name nothing was ever evaluated on is a typo more often than news: say so, with the names
   * that would answer (serving metrics, and the evaluations recorded on models the caller may read).
   */
  private async requireKnownMetric(caller: Caller, name: string): Promise<void> {
    const params: unknown[] = [LifecycleStage.ARCHIVED];
    const visible = readableCondition(caller, 'm', '$2');
    if (visible) params.push(readableParam(caller));
    const rows: { benchmark: string }[] = await this.db.query(
      `SELECT DISTINCT r.benchmark FROM evaluations r JOIN models m ON m.id = r.model_id
        WHERE m.status <> $1 ${visible ? `AND ${visible}` : ''} ORDER BY r.benchmark LIMIT ${KNOWN_METRICS_SHOWN + 1}`,
      params,
    );
    const evaluations = rows.map((r) => r.benchmark);
    if (evaluations.includes(name)) return;
    const known = [...Object.keys(BENCHMARK_METRICS), ...evaluations.slice(0, KNOWN_METRICS_SHOWN)].join(', ');
    throw new ValidationError('metric', `no model you can read has results for "${name}"; the metrics known are ${known}${evaluations.length > KNOWN_METRICS_SHOWN ? ', …' : ''}`);
  }

  /**
   * The models no other model beats on both a quality metric and a performance metric (each model's best on each,
   * with the same filters, the performance side on `hardwareProfile` when given).
   */
  async paretoFront(caller: Caller, quality: string, performance: string, filters: Omit<LeaderboardQuery, 'metric' | 'first'>): Promise<ParetoResult> {
    // The performance side first: the quality side is then taken over those models only, so the pool is never filled
    // by models that have no result on the performance side (or on its hardware) and could not be on the front.
    const p = await this.leaderboard(caller, { ...filters, metric: performance, first: PARETO_POOL });
    const q = await this.leaderboard(caller, { ...filters, metric: quality, first: PARETO_POOL, modelIds: p.entries.map(({ entry }) => entry.modelId) });
    const byModel = new Map(p.entries.map(({ entry }) => [entry.modelId, entry]));
    const points: ParetoPoint[] = [];
    for (const { entry } of q.entries) {
      const perf = byModel.get(entry.modelId);
      if (!perf) continue;
      points.push({ modelId: entry.modelId, modelName: entry.modelName, quality: entry.value, performance: perf.value, qualityVersionId: entry.versionId, performanceVersionId: perf.versionId, hardwareProfile: perf.hardwareProfile });
    }
    return { quality: q.metric, performance: p.metric, points: paretoFront(points, q.metric.direction, p.metric.direction) };
  }
}

/** Models considered for a front: each board's best this many (a front over more is not readable anyway). */
const PARETO_POOL = 1000;

export interface ParetoPoint extends ParetoCandidate {
  qualityVersionId: string;
  performanceVersionId: string;
  hardwareProfile: string | null;
}

export interface ParetoResult {
  quality: LeaderboardMetric;
  performance: LeaderboardMetric;
  points: ParetoPoint[];
}
