import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ordering models by evidence probes each listed model's best result (a LATERAL subquery per model): these indexes
 * answer a probe from the index alone, so a board filtered to a tag reads that tag's models' rows, not every row
 * of the metric.
 */
export class EvidencePerModel1764000000261 implements MigrationInterface {
  name = 'EvidencePerModel1764000000261';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX evaluations_model_evidence ON evaluations (model_id, benchmark, provenance, score) INCLUDE (metric)`);
    await q.query(
      `CREATE INDEX benchmarks_model_evidence ON benchmarks (model_id, hardware_profile, provenance)
         INCLUDE (ttft_p50_ms, ttft_p99_ms, latency_p50_ms, latency_p99_ms, throughput_tokens_per_second)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX benchmarks_model_evidence`);
    await q.query(`DROP INDEX evaluations_model_evidence`);
  }
}
