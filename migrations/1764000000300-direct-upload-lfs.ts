import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One direct-upload service for GraphQL and the hub protocol: an LFS ticket whose object goes straight to an S3
 * bucket (the hub's multipart transfer) names its multipart upload; sweeping an abandoned upload removes its ticket
 * with it. The partial indexes serve the upload sweeper (never-completed uploads, never-used tickets by expiry).
 */
export class DirectUploadLfs1764000000300 implements MigrationInterface {
  name = 'DirectUploadLfs1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hub_lfs_objects ADD COLUMN direct_upload_id uuid REFERENCES direct_uploads(id) ON DELETE CASCADE`);
    await q.query(`CREATE INDEX hub_lfs_objects_unused ON hub_lfs_objects (expires_at) WHERE stored_at IS NULL`);
    await q.query(`CREATE INDEX hub_lfs_objects_direct_upload ON hub_lfs_objects (direct_upload_id) WHERE direct_upload_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX hub_lfs_objects_direct_upload`);
    await q.query(`DROP INDEX hub_lfs_objects_unused`);
    await q.query(`ALTER TABLE hub_lfs_objects DROP COLUMN direct_upload_id`);
  }
}
