import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Measured runs beside hand-recorded and reported results. Every benchmark and evaluation row carries its
 * provenance: MEASURED (our load generator or evaluation runner, or recorded by hand) or REPORTED (a score
 * read from a model card's model-index at import). A measured benchmark keeps its hardware profile, scenario,
 * per-level metrics and gzip'd raw per-request samples (for re-analysis); an evaluation keeps suite, task,
 * metric, n, stderr, dataset version and runner. operation_id ties a row to the run that wrote it, and is
 * unique so a retried settling step never writes twice.
 */
export class MeasuredRuns1764000000050 implements MigrationInterface {
  name = 'MeasuredRuns1764000000050';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE benchmarks
        ADD COLUMN provenance text NOT NULL DEFAULT 'MEASURED' CHECK (provenance IN ('MEASURED', 'REPORTED')),
        ADD COLUMN operation_id uuid UNIQUE REFERENCES operations(id) ON DELETE SET NULL,
        ADD COLUMN profile jsonb,
        ADD COLUMN scenario jsonb,
        ADD COLUMN levels jsonb,
        ADD COLUMN samples bytea`);
    await q.query(`CREATE INDEX benchmarks_history ON benchmarks (model_id, hardware_profile, recorded_at DESC)`);
    await q.query(`
      ALTER TABLE evaluations
        ADD COLUMN provenance text NOT NULL DEFAULT 'MEASURED' CHECK (provenance IN ('MEASURED', 'REPORTED')),
        ADD COLUMN operation_id uuid REFERENCES operations(id) ON DELETE SET NULL,
        ADD COLUMN suite text,
        ADD COLUMN task text,
        ADD COLUMN metric text,
        ADD COLUMN n integer,
        ADD COLUMN stderr double precision,
        ADD COLUMN dataset_version text,
        ADD COLUMN runner text,
        ADD COLUMN runner_version text`);
    await q.query(`CREATE UNIQUE INDEX evaluations_operation_task ON evaluations (operation_id, benchmark) WHERE operation_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX evaluations_operation_task`);
    await q.query(`
      ALTER TABLE evaluations DROP COLUMN provenance, DROP COLUMN operation_id, DROP COLUMN suite, DROP COLUMN task,
        DROP COLUMN metric, DROP COLUMN n, DROP COLUMN stderr, DROP COLUMN dataset_version, DROP COLUMN runner, DROP COLUMN runner_version`);
    await q.query(`DROP INDEX benchmarks_history`);
    await q.query(`ALTER TABLE benchmarks DROP COLUMN provenance, DROP COLUMN operation_id, DROP COLUMN profile, DROP COLUMN scenario, DROP COLUMN levels, DROP COLUMN samples`);
  }
}
