import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lifecycle moves from the model to each version: versions take the model's stages, transitions say
 * which version moved, and the model's status becomes a summary of its versions. Imports list their files
 * into import_files (the manifest lives in the database, not in workflow history).
 */
export class VersionLifecycle1764000000003 implements MigrationInterface {
  name = 'VersionLifecycle1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_versions
      ADD COLUMN files_complete boolean NOT NULL DEFAULT false,
      ADD COLUMN source_revision text`);
    await q.query(`UPDATE model_versions v SET files_complete = EXISTS (SELECT 1 FROM version_files f WHERE f.version_id = v.id)`);
    // Old storage states map onto stages; the default version of an evaluated or published model inherits it.
    await q.query(`UPDATE model_versions v SET status = CASE
        WHEN v.status = 'REGISTERED' THEN 'DRAFT'
        WHEN v.status = 'FAILED' THEN 'NEEDS_ATTENTION'
        WHEN v.status = 'READY' AND m.default_version_id = v.id AND m.status IN ('EVALUATED', 'PUBLISHED') THEN m.status
        WHEN v.status = 'READY' THEN 'VERIFIED'
        ELSE v.status END
      FROM models m WHERE m.id = v.model_id`);
    await q.query(`ALTER TABLE model_versions ADD CONSTRAINT model_versions_stage CHECK
      (status IN ('DRAFT', 'INGESTING', 'VERIFIED', 'NEEDS_ATTENTION', 'EVALUATED', 'PUBLISHED', 'ARCHIVED'))`);
    await q.query(`CREATE INDEX model_versions_model_stage ON model_versions (model_id, status)`);
    // The model's status becomes the summary the services maintain from now on (lifecycle.ts summarizeModel).
    await q.query(`UPDATE models m SET status = CASE
        WHEN NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = m.id) THEN m.status
        WHEN EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = m.id AND v.status = 'PUBLISHED') THEN 'PUBLISHED'
        ELSE COALESCE((SELECT v.status FROM model_versions v WHERE v.model_id = m.id AND v.status <> 'ARCHIVED'
                       ORDER BY v.created_at DESC LIMIT 1), 'ARCHIVED') END`);

    await q.query(`ALTER TABLE lifecycle_transitions ADD COLUMN version_id uuid REFERENCES model_versions(id) ON DELETE CASCADE`);
    await q.query(`CREATE INDEX lifecycle_transitions_version ON lifecycle_transitions (version_id, occurred_at)`);

    await q.query(`
      CREATE TABLE import_files (
        operation_id uuid NOT NULL REFERENCES operations(id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        path text NOT NULL,
        size bigint CHECK (size >= 0),
        expected_sha256 text,
        git_blob_id text,
        sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        stored_size bigint,
        format text,
        PRIMARY KEY (operation_id, path)
      )`);
    await q.query(`CREATE INDEX import_files_pending ON import_files (operation_id, ordinal) WHERE sha256 IS NULL`);
    await q.query(`ALTER TABLE operations ADD COLUMN source_revision text, ADD COLUMN listed boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX operations_unsettled ON operations (updated_at) WHERE status IN ('PENDING', 'RUNNING')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX operations_unsettled`);
    await q.query(`ALTER TABLE operations DROP COLUMN listed, DROP COLUMN source_revision`);
    await q.query(`DROP TABLE import_files`);
    await q.query(`ALTER TABLE lifecycle_transitions DROP COLUMN version_id`);
    await q.query(`DROP INDEX model_versions_model_stage`);
    await q.query(`ALTER TABLE model_versions DROP CONSTRAINT model_versions_stage`);
    await q.query(`UPDATE model_versions SET status = CASE
        WHEN status = 'DRAFT' THEN 'REGISTERED' WHEN status = 'NEEDS_ATTENTION' THEN 'FAILED'
        WHEN status IN ('VERIFIED', 'EVALUATED', 'PUBLISHED') THEN 'READY' ELSE status END`);
    await q.query(`ALTER TABLE model_versions DROP COLUMN source_revision, DROP COLUMN files_complete`);
  }
}
