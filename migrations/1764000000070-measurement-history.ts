import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * benchmarkHistory and evaluationHistory page a model's results by (recorded_at, id), optionally of one hardware
 * profile or one evaluation: keyset pages read straight from these indexes, however long the history grows.
 */
export class MeasurementHistory1764000000070 implements MigrationInterface {
  name = 'MeasurementHistory1764000000070';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX benchmarks_model`);
    await q.query(`CREATE INDEX benchmarks_model ON benchmarks (model_id, recorded_at DESC, id DESC)`);
    await q.query(`DROP INDEX benchmarks_history`);
    await q.query(`CREATE INDEX benchmarks_history ON benchmarks (model_id, hardware_profile, recorded_at DESC, id DESC)`);
    await q.query(`CREATE INDEX evaluations_history ON evaluations (model_id, recorded_at DESC, id DESC)`);
    await q.query(`CREATE INDEX evaluations_history_by_name ON evaluations (model_id, benchmark, recorded_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX evaluations_history_by_name`);
    await q.query(`DROP INDEX evaluations_history`);
    await q.query(`DROP INDEX benchmarks_history`);
    await q.query(`CREATE INDEX benchmarks_history ON benchmarks (model_id, hardware_profile, recorded_at DESC)`);
    await q.query(`DROP INDEX benchmarks_model`);
    await q.query(`CREATE INDEX benchmarks_model ON benchmarks (model_id, recorded_at DESC)`);
  }
}
