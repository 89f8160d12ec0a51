import type { MigrationInterface, QueryRunner } from 'typeorm';

const SERVING_COLUMNS = ['ttft_p50_ms', 'ttft_p99_ms', 'latency_p50_ms', 'latency_p99_ms', 'throughput_tokens_per_second'] as const;

/**
 * The filter language (and / or / not over catalog fields and measured evidence) and recommendModels are answered
 * from indexes whatever the combination:
 * - evidence conditions range-scan (evaluation, provenance, score) or (profile, provenance, metric) and take the
 *   model ids from the index itself (INCLUDE), so a condition inside an `or` or a `not` is one hashed set;
 * - the catalog fields that had no index (source, owner, licence as compared, modalities, endpoints) get one;
 * - recommendModels starts from the versions in the asked stages.
 */
export class EvidenceFilters1764000000260 implements MigrationInterface {
  name = 'EvidenceFilters1764000000260';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX evaluations_evidence ON evaluations (benchmark, provenance, score) INCLUDE (model_id, metric)`);
    for (const column of SERVING_COLUMNS) {
      await q.query(`CREATE INDEX benchmarks_evidence_${column} ON benchmarks (hardware_profile, provenance, ${column}) INCLUDE (model_id) WHERE ${column} IS NOT NULL`);
    }
    await q.query(`CREATE INDEX models_source_type ON models (source_type)`);
    await q.query(`CREATE INDEX models_owner ON models (owner)`);
    await q.query(`CREATE INDEX models_license_lower ON models (lower(license_id))`);
    await q.query(`CREATE INDEX models_input_modalities ON models USING gin (input_modalities)`);
    await q.query(`CREATE INDEX models_output_modalities ON models USING gin (output_modalities)`);
    await q.query(`CREATE INDEX models_endpoints ON models USING gin (endpoints)`);
    await q.query(`CREATE INDEX model_versions_stage ON model_versions (status, model_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['model_versions_stage', 'models_endpoints', 'models_output_modalities', 'models_input_modalities', 'models_license_lower', 'models_owner', 'models_source_type', 'evaluations_evidence']) {
      await q.query(`DROP INDEX ${name}`);
    }
    for (const column of SERVING_COLUMNS) await q.query(`DROP INDEX benchmarks_evidence_${column}`);
  }
}
