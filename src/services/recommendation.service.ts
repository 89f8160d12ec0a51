import { createHash } from 'node:crypto';
import { type DataSource, In } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import type { VerifiedMetadata } from '../domain/artifacts/verified-metadata';
import type { Provenance } from '../domain/catalog/catalog-enums';
import { checkLicense, licenseText, usageText } from '../domain/governance/license-check';
import { readableCondition, readableParam } from '../domain/governance/access';
import { bytesPerParameter } from '../domain/hardware/weight-bytes';
import type { BenchmarkFacts, CandidateFacts, EvaluationFacts, LevelFacts } from '../domain/recommendation/candidate-facts';
import { type RecommendInput, validateRecommendInput, type ValidRecommendInput } from '../domain/recommendation/recommend-input';
import { recommend, type RecommendationResult } from '../domain/recommendation/recommendation';
import { LicenseEntity } from '../persistence/entities/license.entity';
import { ModelEntity } from '../persistence/entities/model.entity';

/**
 * Versions weighed per request, at most: each one's benchmarks and evaluations are read in one query per kind, so
 * the cost is bounded; a catalog with more candidates says so (`truncated`) rather than answering on a sample.
 */
export const MAX_CANDIDATES = 2000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface CandidateRow {
  version_id: string;
  version: string;
  model_id: string;
  model_name: string;
  verified_metadata: VerifiedMetadata | null;
}

interface BenchmarkRow {
  id: string;
  version_id: string;
  provenance: Provenance;
  hardware_profile: string;
  recorded_at: Date;
  levels: { concurrency?: number; requests?: number; errors?: number; ttftMs?: { p99?: number | null }; tpotMs?: { p99?: number | null }; outputTokensPerSecond?: number }[] | null;
  ttft_p99_ms: number | null;
  throughput_tokens_per_second: number | null;
}

export interface RecommendationAnswer extends RecommendationResult {
  truncated: boolean;
  hardwareLabel: string;
}

/**
 * recommendModels: the versions the caller may read in the asked stages, weighed on stored evidence only. Five
 * queries whatever the catalog's size (candidates, their models and licences, benchmarks on the hardware,
 * evaluations of the floors, acknowledgments); the decision itself is the pure `recommend`.
 */
export class RecommendationService {
  constructor(private readonly db: DataSource) {}

  async recommend(caller: Caller, raw: RecommendInput): Promise<RecommendationAnswer> {
    const input = validateRecommendInput(raw);
    const rows = await this.candidates(caller, input);
    const truncated = rows.length > MAX_CANDIDATES;
    const kept = rows.slice(0, MAX_CANDIDATES);
    const ids = kept.map((r) => r.version_id);
    const [models, benchmarks, evaluations, acknowledged] = await Promise.all([
      this.models(kept),
      this.benchmarks(ids, input),
      this.evaluations(ids, input),
      this.acknowledged(ids, input),
    ]);
    const licenses = await this.licenses([...models.values()]);
    const facts = kept.map((row) => this.facts(row, input, models.get(row.model_id)!, licenses, benchmarks.get(row.version_id) ?? [], evaluations.get(row.version_id) ?? [], acknowledged));
    return { ...recommend(facts, input), truncated, hardwareLabel: input.hardware.label };
  }

  private async candidates(caller: Caller, input: ValidRecommendInput): Promise<CandidateRow[]> {
    const params: unknown[] = [input.stages];
    const where = ['v.status = ANY($1::text[])'];
    const visible = readableCondition(caller, 'm', '$2');
    if (visible) {
      params.push(readableParam(caller));
      where.push(visible);
    }
    if (input.task) {
      params.push(input.task);
      const t = `$${params.length}`;
      where.push(`(m.tags @> ARRAY[${t}::text] OR m.tasks @> ARRAY[${t}::text] OR lower(v.verified_metadata->>'pipelineTag') = ${t})`);
    }
    params.push(MAX_CANDIDATES + 1);
    return this.db.query(
      `SELECT v.id AS version_id, v.version, v.verified_metadata, m.id AS model_id, m.name AS model_name
         FROM model_versions v JOIN models m ON m.id = v.model_id
        WHERE ${where.join(' AND ')}
        ORDER BY m.name, v.major DESC, v.minor DESC, v.patch DESC, v.id LIMIT $${params.length}`,
      params,
    );
  }

  private async models(rows: CandidateRow[]): Promise<Map<string, ModelEntity>> {
    const ids = [...new Set(rows.map((r) => r.model_id))];
    if (!ids.length) return new Map();
    return new Map((await this.db.getRepository(ModelEntity).findBy({ id: In(ids) })).map((m) => [m.id, m]));
  }

  private async licenses(models: ModelEntity[]): Promise<Map<string, LicenseEntity>> {
    const ids = [...new Set(models.map((m) => m.licenseId).filter((id): id is string => id !== null))];
    if (!ids.length) return new Map();
    return new Map((await this.db.getRepository(LicenseEntity).findBy({ id: In(ids) })).map((l) => [l.id, l]));
  }

  /** Benchmarks on the hardware asked: the profile label's first word is "<gpuCount>x<gpuType>" (any engine). */
  private async benchmarks(ids: string[], input: ValidRecommendInput): Promise<Map<string, BenchmarkFacts[]>> {
    if (!ids.length) return new Map();
    const rows: BenchmarkRow[] = await this.db.query(
      `SELECT b.id, b.version_id, b.provenance, b.hardware_profile, b.recorded_at, b.levels, b.ttft_p99_ms, b.throughput_tokens_per_second
         FROM benchmarks b
        WHERE b.version_id = ANY($1::uuid[]) AND b.provenance = ANY($2::text[]) AND lower(split_part(b.hardware_profile, ' ', 1)) = lower($3)`,
      [ids, input.provenances, input.hardware.label],
    );
    const out = new Map<string, BenchmarkFacts[]>();
    for (const row of rows) {
      const facts: BenchmarkFacts = { id: row.id, provenance: row.provenance, hardwareProfile: row.hardware_profile, recordedAt: new Date(row.recorded_at), levels: levelsOf(row) };
      out.set(row.version_id, [...(out.get(row.version_id) ?? []), facts]);
    }
    return out;
  }

  private async evaluations(ids: string[], input: ValidRecommendInput): Promise<Map<string, EvaluationFacts[]>> {
    if (!ids.length || !input.floors.length) return new Map();
    const rows: (EvaluationFacts & { version_id: string })[] = await this.db.query(
      `SELECT e.id, e.version_id, e.benchmark, e.metric, e.score::float8 AS score, e.provenance
         FROM evaluations e WHERE e.version_id = ANY($1::uuid[]) AND e.benchmark = ANY($2::text[])`,
      [ids, [...new Set(input.floors.map((f) => f.benchmark))]],
    );
    const out = new Map<string, EvaluationFacts[]>();
    for (const { version_id: v, ...e } of rows) out.set(v, [...(out.get(v) ?? []), { ...e, score: Number(e.score) }]);
    return out;
  }

  private async acknowledged(ids: string[], input: ValidRecommendInput): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: { version_id: string; text_hash: string }[] = await this.db.query(
      `SELECT DISTINCT version_id, text_hash FROM license_acknowledgments WHERE version_id = ANY($1::uuid[]) AND usage_hash = $2`,
      [ids, sha256(usageText(input.usage))],
    );
    return new Set(rows.map((r) => `${r.version_id}:${r.text_hash}`));
  }

  private facts(row: CandidateRow, input: ValidRecommendInput, model: ModelEntity, licenses: Map<string, LicenseEntity>, benchmarks: BenchmarkFacts[], evaluations: EvaluationFacts[], acknowledged: Set<string>): CandidateFacts {
    const license = model.licenseId ? (licenses.get(model.licenseId) ?? null) : null;
    // The same checker checkLicense and the promotion gate use, on the same facts.
    const verdict = checkLicense(license, model.licenseRestrictions, input.usage);
    const textHash = license ? sha256(licenseText(license, model.licenseRestrictions)) : null;
    const v = row.verified_metadata;
    const parameterCount = v?.parameterCount ? BigInt(v.parameterCount) : model.parameterCount;
    return {
      versionId: row.version_id,
      modelId: row.model_id,
      label: `${row.model_name}@${row.version}`,
      parameterCount,
      bytesPerParameter: bytesPerParameter(v),
      contextLimit: v?.contextLength ?? model.contextLength,
      numLayers: v?.numLayers ?? null,
      numKeyValueHeads: v?.numKeyValueHeads ?? null,
      headDim: v?.headDim ?? null,
      license: { ...verdict, textHash, acknowledged: textHash !== null && acknowledged.has(`${row.version_id}:${textHash}`) },
      benchmarks,
      evaluations,
    };
  }
}

/** A run's per-level figures; a row without them (recorded, reported) is one level of unknown load. */
function levelsOf(row: BenchmarkRow): LevelFacts[] {
  const levels = Array.isArray(row.levels) ? row.levels : [];
  const measured = levels
    .filter((l) => typeof l.concurrency === 'number' && (l.requests ?? 0) > (l.errors ?? 0))
    .map((l) => ({
      concurrency: l.concurrency!,
      ttftP99Ms: finite(l.ttftMs?.p99),
      tpotP99Ms: finite(l.tpotMs?.p99),
      throughputTokensPerSecond: finite(l.outputTokensPerSecond),
    }));
  if (measured.length || levels.length) return measured;
  return [{ concurrency: null, ttftP99Ms: finite(row.ttft_p99_ms), tpotP99Ms: null, throughputTokensPerSecond: finite(row.throughput_tokens_per_second) }];
}

function finite(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}
