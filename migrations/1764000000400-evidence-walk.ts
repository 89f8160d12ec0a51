import type { MigrationInterface, QueryRunner } from 'typeorm';

const SERVING_COLUMNS = ['ttft_p50_ms', 'ttft_p99_ms', 'latency_p50_ms', 'latency_p99_ms', 'throughput_tokens_per_second'] as const;
const KEYS = [
  ['model', 'model_id'],
  ['version', 'version_id'],
] as const;

/**
 * Ordering models or versions by a measured metric walks the metric's index in value order (evidenceWalk in
 * src/services/filter-tree-sql.ts): (benchmark, score, subject) for evaluations and (profile, metric, subject) per
 * serving metric, with what the walk tests per row (provenance, metric, row id) included so it stays in the index.
 * The subject as the last key column gives the keyset's (value, id) order without a sort. They replace
 * (benchmark, score DESC), whose order they hold.
 */
export class EvidenceWalk1764000000400 implements MigrationInterface {
  name = 'EvidenceWalk1764000000400';

  async up(q: QueryRunner): Promise<void> {
    for (const [subject, key] of KEYS) {
      await q.query(`CREATE INDEX evaluations_walk_${subject} ON evaluations (benchmark, score, ${key}) INCLUDE (provenance, metric, id)`);
      for (const column of SERVING_COLUMNS) {
        await q.query(`CREATE INDEX benchmarks_walk_${subject}_${column} ON benchmarks (hardware_profile, ${column}, ${key}) INCLUDE (provenance, id) WHERE ${column} IS NOT NULL`);
      }
    }
    await q.query(`DROP INDEX evaluations_benchmark_score`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX evaluations_benchmark_score ON evaluations (benchmark, score DESC)`);
    for (const [subject] of KEYS) {
      await q.query(`DROP INDEX evaluations_walk_${subject}`);
      for (const column of SERVING_COLUMNS) await q.query(`DROP INDEX benchmarks_walk_${subject}_${column}`);
    }
  }
}
