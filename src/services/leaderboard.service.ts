import type { DataSource } from 'typeorm';
import { ValidationError } from '../domain/common/domain-error';
import { type LeaderboardMetric, MetricDirection, resolveLeaderboardMetric } from '../domain/leaderboard/leaderboard-metric';
import { type Candidate, rankCandidates } from '../domain/leaderboard/leaderboard-ranking';
import { LifecycleStage } from '../domain/lifecycle/lifecycle-stage';
import { type ReadScope, scopeCondition } from '../domain/governance/access';

export interface LeaderboardQuery {
  metric: string;
  architecture?: string | null;
  maxParams?: bigint | null;
  hardwareProfile?: string | null;
  first: number;
  /** Only models the caller may read compete (default: everything, for internal callers). */
  scope?: ReadScope;
}

export interface LeaderboardRow extends Candidate {
  versionId: string;
  hardwareProfile: string | null;
  recordedAt: Date;
}

export interface LeaderboardResult {
  metric: LeaderboardMetric;
  entries: { rank: number; entry: LeaderboardRow }[];
}

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
  hardware_profile: string | null;
  recorded_at: Date;
}

/** Each model's best result for one metric, ranked; archived models drop off the board. */
export class LeaderboardService {
  constructor(private readonly db: DataSource) {}

  async leaderboard(query: LeaderboardQuery): Promise<LeaderboardResult> {
    const metric = resolveLeaderboardMetric(query.metric);
    if (query.maxParams != null && query.maxParams < 0n) throw new ValidationError('maxParams', 'must not be negative');
    const params: unknown[] = [LifecycleStage.ARCHIVED];
    const where: string[] = ['m.status <> $1'];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    const visible = query.scope ? scopeCondition(query.scope, 'm', '?') : null;
    if (visible && query.scope) add(visible, query.scope.projects);
    if (query.architecture) add('lower(m.architecture) = lower(?)', query.architecture);
    if (query.maxParams != null) add('m.parameter_count <= ?', query.maxParams.toString());
    const dir = metric.direction === MetricDirection.HIGHER_IS_BETTER ? 'DESC' : 'ASC';
    let source: string;
    if (metric.kind === 'benchmark') {
      const column = BENCHMARK_COLUMNS[metric.name];
      where.push(`r.${column} IS NOT NULL`);
      if (query.hardwareProfile) add('r.hardware_profile = ?', query.hardwareProfile);
      source = `SELECT DISTINCT ON (r.model_id) r.model_id, m.name AS model_name, r.version_id, r.${column} AS value,
                       r.hardware_profile, r.recorded_at
                  FROM benchmarks r JOIN models m ON m.id = r.model_id
                 WHERE ${where.join(' AND ')}
                 ORDER BY r.model_id, r.${column} ${dir}, r.recorded_at DESC`;
    } else {
      add('r.benchmark = ?', metric.name);
      source = `SELECT DISTINCT ON (r.model_id) r.model_id, m.name AS model_name, r.version_id, r.score AS value,
                       NULL::text AS hardware_profile, r.recorded_at
                  FROM evaluations r JOIN models m ON m.id = r.model_id
                 WHERE ${where.join(' AND ')}
                 ORDER BY r.model_id, r.score DESC, r.recorded_at DESC`;
    }
    params.push(query.first);
    const rows: RawRow[] = await this.db.query(
      `SELECT * FROM (${source}) best ORDER BY value ${dir}, model_name LIMIT $${params.length}`,
      params,
    );
    const candidates: LeaderboardRow[] = rows.map((r) => ({
      modelId: r.model_id,
      modelName: r.model_name,
      versionId: r.version_id,
      value: Number(r.value),
      hardwareProfile: r.hardware_profile,
      recordedAt: r.recorded_at,
    }));
    return { metric, entries: rankCandidates(candidates, metric.direction) };
  }
}
