import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The versions' filter (Query.versions) on a catalog of 100,000 versions, as EXPLAIN ANALYZE showed it:
 * - a page in creation order walked the whole table and sorted it (150 ms); (created_at, id) walks the index and
 *   stops after the page (5 ms), and keyset cursors continue it (0.3 ms);
 * - ordering by evidence under a filter probes each version's best result: without an index led by the version,
 *   each probe read every row of the metric (a tag-filtered mmlu board: 217 s; with these: 0.12 s).
 */
export class VersionFilters1764000000310 implements MigrationInterface {
  name = 'VersionFilters1764000000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX model_versions_created_at_id ON model_versions (created_at, id)`);
    await q.query(`CREATE INDEX evaluations_version_evidence ON evaluations (version_id, benchmark, provenance, score) INCLUDE (metric)`);
    await q.query(
      `CREATE INDEX benchmarks_version_evidence ON benchmarks (version_id, hardware_profile, provenance)
         INCLUDE (ttft_p50_ms, ttft_p99_ms, latency_p50_ms, latency_p99_ms, throughput_tokens_per_second)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX benchmarks_version_evidence`);
    await q.query(`DROP INDEX evaluations_version_evidence`);
    await q.query(`DROP INDEX model_versions_created_at_id`);
  }
}
