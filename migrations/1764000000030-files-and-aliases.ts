import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Files in and out. A DRAFT version's files are rows of version_files (the import replaces them with its
 * verified manifest), so the blob collector keeps uploaded blobs alive with no extra rule. Every change of a
 * draft's files is a row of version_file_changes; empty folders made by hand are version_folders.
 * upload_sessions are resumable (tus) uploads: the bytes stay in staging until the last one arrives.
 * Downloads are counted in their own table (an UPDATE of model_versions would queue behind lifecycle locks).
 * Aliases are named pointers per model; `default` is models.default_version_id, not a row. Every move of any
 * alias is a row of alias_moves.
 */
export class FilesAndAliases1764000000030 implements MigrationInterface {
  name = 'FilesAndAliases1764000000030';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE version_file_changes (
        id bigserial PRIMARY KEY,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        action text NOT NULL CHECK (action IN ('ADD', 'REPLACE', 'MOVE', 'REMOVE', 'CREATE_FOLDER')),
        path text NOT NULL,
        from_path text,
        sha256 text,
        size bigint,
        actor text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX version_file_changes_version ON version_file_changes (version_id, id)`);
    await q.query(`
      CREATE TABLE version_folders (
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        path text NOT NULL,
        PRIMARY KEY (version_id, path)
      )`);
    await q.query(`
      CREATE TABLE upload_sessions (
        id text PRIMARY KEY,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        path text NOT NULL,
        length bigint NOT NULL CHECK (length >= 0),
        expected_sha256 text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        finished_at timestamptz,
        sha256 text
      )`);
    await q.query(`CREATE INDEX upload_sessions_version ON upload_sessions (version_id)`);
    await q.query(`
      CREATE TABLE version_downloads (
        version_id uuid PRIMARY KEY REFERENCES model_versions(id) ON DELETE CASCADE,
        count bigint NOT NULL DEFAULT 0,
        last_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE model_aliases (
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        name text NOT NULL,
        version_id uuid NOT NULL REFERENCES model_versions(id) ON DELETE CASCADE,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model_id, name)
      )`);
    await q.query(`CREATE INDEX model_aliases_version ON model_aliases (version_id)`);
    await q.query(`
      CREATE TABLE alias_moves (
        id bigserial PRIMARY KEY,
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        alias text NOT NULL,
        from_version_id uuid,
        to_version_id uuid,
        actor text NOT NULL,
        reason text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX alias_moves_model ON alias_moves (model_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['alias_moves', 'model_aliases', 'version_downloads', 'upload_sessions', 'version_folders', 'version_file_changes']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
