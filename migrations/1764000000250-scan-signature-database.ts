import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What clamd's signature database was for each scan: OFFICIAL, or TEST_ONLY (the EICAR-only database `npm run dev`
 * writes when no ClamAV signatures are installed or downloadable), whose clean answers count as SKIPPED. Scans
 * recorded before it ran against a configured clamd's own database, so those with a signature version are OFFICIAL.
 */
export class ScanSignatureDatabase1764000000250 implements MigrationInterface {
  name = 'ScanSignatureDatabase1764000000250';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE scan_results ADD COLUMN signature_database text CHECK (signature_database IN ('OFFICIAL', 'TEST_ONLY'))`);
    await q.query(`UPDATE scan_results SET signature_database = 'OFFICIAL' WHERE signature_version IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE scan_results DROP COLUMN signature_database`);
  }
}
