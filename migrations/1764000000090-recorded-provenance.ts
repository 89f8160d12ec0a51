import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-recorded results get their own provenance, RECORDED, beside MEASURED (our runs) and REPORTED (model cards):
 * a number typed into recordEvaluation / recordBenchmark had been stored as MEASURED and counted as evidence.
 * recorded_by already names who recorded a row. Rows written by hand before are told apart from run-produced
 * ones by what only a run writes: an evaluation run sets `runner` on every row, a benchmark run `levels`
 * (operation_id alone is not enough: it is set to NULL when an operation row is deleted). A RECORDED row never
 * belongs to a run.
 */
export class RecordedProvenance1764000000090 implements MigrationInterface {
  name = 'RecordedProvenance1764000000090';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, runColumn] of [['evaluations', 'runner'], ['benchmarks', 'levels']] as const) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_provenance_check`);
      await q.query(
        `UPDATE ${table} SET provenance = 'RECORDED' WHERE provenance = 'MEASURED' AND operation_id IS NULL AND ${runColumn} IS NULL`,
      );
      await q.query(`
        ALTER TABLE ${table}
          ADD CONSTRAINT ${table}_provenance_check CHECK (provenance IN ('MEASURED', 'RECORDED', 'REPORTED')),
          ADD CONSTRAINT ${table}_recorded_has_no_run CHECK (provenance <> 'RECORDED' OR operation_id IS NULL)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['evaluations', 'benchmarks'] as const) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_recorded_has_no_run, DROP CONSTRAINT ${table}_provenance_check`);
      await q.query(`UPDATE ${table} SET provenance = 'MEASURED' WHERE provenance = 'RECORDED'`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_provenance_check CHECK (provenance IN ('MEASURED', 'REPORTED'))`);
    }
  }
}
