import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scanning becomes real: a version's scan has per-file results, the statuses SCANNING / PASSED / FAILED /
 * SKIPPED, counts by severity and the versions of what scanned it (our rules, clamd's signatures), so a
 * change of either can find what to rescan. blob_scans caches a blob's verdict under those versions (and the
 * file's base name, which decides formats without a magic number): content-addressed files already scanned
 * with the current versions are not scanned again.
 */
export class SecurityScanning1764000000004 implements MigrationInterface {
  name = 'SecurityScanning1764000000004';

  async up(q: QueryRunner): Promise<void> {
    // Old verdicts map onto the new statuses; an old error could not be trusted as clean, so it failed.
    await q.query(`UPDATE scan_results SET status = CASE status WHEN 'CLEAN' THEN 'PASSED' ELSE 'FAILED' END`);
    await q.query(`UPDATE scan_results s SET findings = COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
          'path', f->>'path', 'scanner', s.scanner, 'rule', f->>'rule',
          'severity', CASE f->>'severity' WHEN 'INFO' THEN 'LOW' ELSE f->>'severity' END,
          'global', NULL, 'offset', NULL, 'message', COALESCE(f->>'detail', f->>'rule')))
        FROM jsonb_array_elements(s.findings) f), '[]'::jsonb)`);
    await q.query(`ALTER TABLE scan_results
      ALTER COLUMN completed_at DROP NOT NULL,
      ADD COLUMN operation_id uuid REFERENCES operations(id) ON DELETE SET NULL,
      ADD COLUMN rules_version text,
      ADD COLUMN signature_version text,
      ADD COLUMN critical_count integer NOT NULL DEFAULT 0 CHECK (critical_count >= 0),
      ADD COLUMN high_count integer NOT NULL DEFAULT 0 CHECK (high_count >= 0),
      ADD COLUMN medium_count integer NOT NULL DEFAULT 0 CHECK (medium_count >= 0),
      ADD COLUMN low_count integer NOT NULL DEFAULT 0 CHECK (low_count >= 0),
      ADD COLUMN files_cached integer NOT NULL DEFAULT 0 CHECK (files_cached >= 0),
      ADD CONSTRAINT scan_results_status CHECK (status IN ('SCANNING', 'PASSED', 'FAILED', 'SKIPPED')),
      ADD CONSTRAINT scan_results_completed CHECK ((status = 'SCANNING') = (completed_at IS NULL))`);
    await q.query(`UPDATE scan_results s SET
        critical_count = (SELECT count(*) FROM jsonb_array_elements(s.findings) f WHERE f->>'severity' = 'CRITICAL'),
        high_count = (SELECT count(*) FROM jsonb_array_elements(s.findings) f WHERE f->>'severity' = 'HIGH'),
        medium_count = (SELECT count(*) FROM jsonb_array_elements(s.findings) f WHERE f->>'severity' = 'MEDIUM'),
        low_count = (SELECT count(*) FROM jsonb_array_elements(s.findings) f WHERE f->>'severity' = 'LOW')`);
    // One scan per operation: a retried "begin" finds the scan it already created.
    await q.query(`CREATE UNIQUE INDEX scan_results_operation ON scan_results (operation_id) WHERE operation_id IS NOT NULL`);
    await q.query(`CREATE INDEX scan_results_version_started ON scan_results (version_id, started_at DESC)`);

    await q.query(`
      CREATE TABLE scan_file_results (
        scan_result_id uuid NOT NULL REFERENCES scan_results(id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        path text NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL CHECK (size >= 0),
        format text,
        status text NOT NULL CHECK (status IN ('SCANNING', 'PASSED', 'FAILED', 'SKIPPED')),
        clamav text CHECK (clamav IN ('CLEAN', 'INFECTED', 'NOT_SCANNED', 'SKIPPED')),
        findings jsonb NOT NULL DEFAULT '[]',
        bytes_scanned bigint NOT NULL DEFAULT 0 CHECK (bytes_scanned >= 0),
        cached boolean NOT NULL DEFAULT false,
        scanned_at timestamptz,
        PRIMARY KEY (scan_result_id, path)
      )`);
    await q.query(`CREATE INDEX scan_file_results_pending ON scan_file_results (scan_result_id, ordinal) WHERE status = 'SCANNING'`);

    await q.query(`
      CREATE TABLE blob_scans (
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        rules_version text NOT NULL,
        -- clamd's VERSION answer; '' when ClamAV was not run (no clamd configured).
        signature_version text NOT NULL,
        -- The file's lowercased base name: formats without a magic number are told by name, so it is part of the verdict.
        name_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('PASSED', 'FAILED', 'SKIPPED')),
        clamav text NOT NULL CHECK (clamav IN ('CLEAN', 'INFECTED', 'NOT_SCANNED', 'SKIPPED')),
        format text NOT NULL,
        format_verdict text NOT NULL,
        findings jsonb NOT NULL DEFAULT '[]',
        bytes_scanned bigint NOT NULL CHECK (bytes_scanned >= 0),
        scanned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sha256, rules_version, signature_version, name_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE blob_scans`);
    await q.query(`DROP TABLE scan_file_results`);
    await q.query(`DROP INDEX scan_results_version_started`);
    await q.query(`DROP INDEX scan_results_operation`);
    await q.query(`DELETE FROM scan_results WHERE status = 'SCANNING'`);
    await q.query(`ALTER TABLE scan_results
      DROP CONSTRAINT scan_results_completed, DROP CONSTRAINT scan_results_status,
      DROP COLUMN files_cached, DROP COLUMN low_count, DROP COLUMN medium_count, DROP COLUMN high_count,
      DROP COLUMN critical_count, DROP COLUMN signature_version, DROP COLUMN rules_version, DROP COLUMN operation_id,
      ALTER COLUMN completed_at SET NOT NULL`);
    await q.query(`UPDATE scan_results SET status = CASE status WHEN 'FAILED' THEN 'INFECTED' ELSE 'CLEAN' END`);
    await q.query(`UPDATE scan_results s SET findings = COALESCE((
        SELECT jsonb_agg(jsonb_build_object('path', f->>'path', 'rule', f->>'rule', 'severity', f->>'severity', 'detail', f->>'message'))
        FROM jsonb_array_elements(s.findings) f), '[]'::jsonb)`);
  }
}
