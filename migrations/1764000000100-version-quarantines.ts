import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version taken out of service by a rescan that FAILED: which scan did it, the stage it held (so reinstating it
 * brings it back there) and who asked for that rescan. Open while `reinstated_at` is null; at most one open per
 * version. Reinstating records the clean scan and the second person.
 */
export class VersionQuarantines1764000000100 implements MigrationInterface {
  name = 'VersionQuarantines1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE version_quarantines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        scan_result_id uuid NOT NULL REFERENCES scan_results(id) ON DELETE CASCADE,
        from_status text NOT NULL CHECK (from_status IN ('VERIFIED', 'EVALUATED', 'PUBLISHED')),
        reason text NOT NULL,
        rescan_by text NOT NULL,
        quarantined_at timestamptz NOT NULL DEFAULT now(),
        reinstated_at timestamptz,
        reinstated_by text,
        clean_scan_id uuid REFERENCES scan_results(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX version_quarantines_open ON version_quarantines (version_id) WHERE reinstated_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE version_quarantines`);
  }
}
