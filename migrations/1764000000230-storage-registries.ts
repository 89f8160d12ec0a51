import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The store configured by the environment (ARTIFACT_STORE and its settings): every blob written before this migration is in it. */
export const DEFAULT_STORE_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Storage registries: named artifact stores per project (S3-compatible buckets, filesystem folders), a default
 * store per project and optionally per model, and the store of every version.
 *
 * - `artifact_stores` holds one row per store; the environment's store is the row `DEFAULT_STORE_ID` (kind `env`,
 *   no project: shared by every project, configured only by the server's environment). Credentials are sealed
 *   (AES-GCM under SECRETS_KEY) and never leave the service.
 * - `model_versions.store_id` says where a version's bytes are; every existing version is in the default store.
 *   A trigger fills it on insert from the model's store, else the project's default, else the default store, so
 *   every path that creates a version (registration, uploads, drafts) agrees without knowing about stores.
 * - `previous_store_id` / `store_switched_at`: after a move the old store's copy stays referenced for the blob
 *   collector's grace period, so a download that started before the switch finishes.
 */
export class StorageRegistries1764000000230 implements MigrationInterface {
  name = 'StorageRegistries1764000000230';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE artifact_stores (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project text,
        name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
        kind text NOT NULL CHECK (kind IN ('env', 's3', 'fs')),
        endpoint text,
        bucket text,
        prefix text NOT NULL DEFAULT '',
        region text,
        force_path_style boolean NOT NULL DEFAULT true,
        access_key_id_sealed text,
        secret_access_key_sealed text,
        fs_path text,
        quota_bytes bigint CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'env') = (project IS NULL)),
        CHECK (kind <> 's3' OR (bucket IS NOT NULL AND region IS NOT NULL)),
        CHECK (kind <> 'fs' OR fs_path IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX artifact_stores_name ON artifact_stores ((COALESCE(project, '')), name)`);
    await q.query(`CREATE UNIQUE INDEX artifact_stores_fs_path ON artifact_stores (fs_path) WHERE fs_path IS NOT NULL`);
    await q.query(`INSERT INTO artifact_stores (id, project, name, kind, created_by) VALUES ($1, NULL, 'default', 'env', 'system:migration 1764000000230')`, [DEFAULT_STORE_ID]);
    await q.query(`
      CREATE TABLE project_storage (
        project text PRIMARY KEY,
        default_store_id uuid REFERENCES artifact_stores(id),
        quota_bytes bigint CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE models ADD COLUMN store_id uuid REFERENCES artifact_stores(id)`);
    await q.query(`ALTER TABLE model_versions ADD COLUMN store_id uuid REFERENCES artifact_stores(id)`);
    await q.query(`ALTER TABLE model_versions ADD COLUMN previous_store_id uuid REFERENCES artifact_stores(id)`);
    await q.query(`ALTER TABLE model_versions ADD COLUMN store_switched_at timestamptz`);
    await q.query(`UPDATE model_versions SET store_id = $1`, [DEFAULT_STORE_ID]);
    await q.query(`ALTER TABLE model_versions ALTER COLUMN store_id SET NOT NULL`);
    await q.query(`CREATE INDEX model_versions_store ON model_versions (store_id)`);
    await q.query(`CREATE INDEX model_versions_previous_store ON model_versions (previous_store_id) WHERE previous_store_id IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION model_version_store() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.store_id IS NULL THEN
          SELECT COALESCE(m.store_id, ps.default_store_id, '${DEFAULT_STORE_ID}'::uuid) INTO NEW.store_id
            FROM models m LEFT JOIN project_storage ps ON ps.project = COALESCE(m.project, 'default') WHERE m.id = NEW.model_id;
        END IF;
        RETURN NEW;
      END $$`);
    // Direct uploads (S3 multipart, presigned parts): a row per upload until it is verified and promoted, or aborted.
    await q.query(`
      CREATE TABLE direct_uploads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        store_id uuid NOT NULL REFERENCES artifact_stores(id),
        version_id uuid REFERENCES model_versions(id) ON DELETE CASCADE,
        path text,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL CHECK (size >= 0),
        s3_upload_id text NOT NULL,
        object_key text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX direct_uploads_open ON direct_uploads (expires_at) WHERE completed_at IS NULL`);
    await q.query(`CREATE TRIGGER model_version_store BEFORE INSERT ON model_versions FOR EACH ROW EXECUTE FUNCTION model_version_store()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE direct_uploads`);
    await q.query(`DROP TRIGGER model_version_store ON model_versions`);
    await q.query(`DROP FUNCTION model_version_store()`);
    await q.query(`ALTER TABLE model_versions DROP COLUMN store_switched_at, DROP COLUMN previous_store_id, DROP COLUMN store_id`);
    await q.query(`ALTER TABLE models DROP COLUMN store_id`);
    await q.query(`DROP TABLE project_storage`);
    await q.query(`DROP TABLE artifact_stores`);
  }
}
