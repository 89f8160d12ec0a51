import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Onboarding1764000000002 implements MigrationInterface {
  name = 'Onboarding1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        version_id uuid REFERENCES model_versions(id) ON DELETE SET NULL,
        workflow_id text NOT NULL,
        status text NOT NULL,
        progress double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        bytes_done bigint NOT NULL DEFAULT 0,
        bytes_total bigint,
        current_step text,
        message text,
        error_code text,
        error_message text,
        -- Bumped on every update; subscribers use it to drop events older than the snapshot they read.
        sequence integer NOT NULL DEFAULT 0,
        input jsonb NOT NULL DEFAULT '{}',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    // One live operation per workflow id: a retry after completion reuses the id with a new row.
    await q.query(`CREATE UNIQUE INDEX operations_live_workflow ON operations (workflow_id) WHERE status IN ('PENDING', 'RUNNING')`);
    await q.query(`CREATE INDEX operations_model ON operations (model_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE version_files (
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        path text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        format text NOT NULL,
        PRIMARY KEY (version_id, path)
      )`);
    await q.query(`CREATE INDEX version_files_sha256 ON version_files (sha256)`);

    await q.query(`ALTER TABLE model_versions
      ADD COLUMN source jsonb,
      ADD COLUMN declared_metadata jsonb,
      ADD COLUMN verified_metadata jsonb,
      ADD COLUMN metadata_mismatches jsonb NOT NULL DEFAULT '[]',
      ADD COLUMN status_reason text`);

    await q.query(`
      CREATE TABLE local_caches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        path text NOT NULL,
        state text NOT NULL,
        bytes bigint NOT NULL DEFAULT 0,
        operation_id uuid REFERENCES operations(id) ON DELETE SET NULL,
        error_message text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        ready_at timestamptz,
        evicted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX local_caches_live_path ON local_caches (path) WHERE state <> 'EVICTED'`);
    await q.query(`CREATE INDEX local_caches_version ON local_caches (version_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE local_caches`);
    await q.query(`ALTER TABLE model_versions DROP COLUMN source, DROP COLUMN declared_metadata,
      DROP COLUMN verified_metadata, DROP COLUMN metadata_mismatches, DROP COLUMN status_reason`);
    await q.query(`DROP TABLE version_files`);
    await q.query(`DROP TABLE operations`);
  }
}
