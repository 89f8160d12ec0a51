import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A local cache lives on one worker host's disk: record which, so materialising and evicting run there (on that
 * host's own task queue). One live cache per version and host; the path is the host's own.
 */
export class CacheHosts1764000000010 implements MigrationInterface {
  name = 'CacheHosts1764000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE local_caches ADD COLUMN host text, ADD COLUMN host_task_queue text`);
    await q.query(`CREATE UNIQUE INDEX local_caches_live_host ON local_caches (version_id, host)
      WHERE state IN ('PENDING', 'MATERIALIZING', 'READY') AND host IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX local_caches_live_host`);
    await q.query(`ALTER TABLE local_caches DROP COLUMN host_task_queue, DROP COLUMN host`);
  }
}
