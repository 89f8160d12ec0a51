import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LFS objects pushed through the hub protocol (`huggingface_hub`'s upload_file / upload_folder). The LFS batch
 * answer hands the client an upload URL carrying a random ticket (the client PUTs without its token, as it does to
 * S3); the row says what that ticket may upload (oid and size), for which model, by whom and until when, and once
 * the bytes arrived whole and hashed to the oid, when they were stored. A commit may name an LFS object only when
 * it was stored through this model's tickets or is already a file of a version the committer reads: knowing a
 * digest never attaches another project's bytes.
 */
export class HubLfsObjects1764000000200 implements MigrationInterface {
  name = 'HubLfsObjects1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hub_lfs_objects (
        ticket char(32) PRIMARY KEY,
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        oid char(64) NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        stored_at timestamptz
      )`);
    await q.query(`CREATE INDEX hub_lfs_objects_model_oid ON hub_lfs_objects (model_id, oid) WHERE stored_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hub_lfs_objects`);
  }
}
