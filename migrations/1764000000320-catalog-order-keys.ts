import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Catalog pages sort on the cursor's key: a timestamp cut to milliseconds (what a JavaScript Date carries) or a size
 * with unknown as -1. `date_trunc('milliseconds', ts)` on a timestamptz is only STABLE (it reads the session's time
 * zone), so it could not be indexed and every page sorted all its matches; `date_trunc(…, ts, 'UTC')` names the zone,
 * is IMMUTABLE and equal for milliseconds (no zone offset has a fraction of a second). With these indexes a page with
 * many matches walks the order and stops after one page (ModelQueryService). The timestamps' plain-column indexes go (no query
 * sorted or filtered on the bare columns); the size one stays for the minParameters / maxParameters ranges.
 */
export class CatalogOrderKeys1764000000320 implements MigrationInterface {
  name = 'CatalogOrderKeys1764000000320';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX models_created_ms_id ON models (date_trunc('milliseconds', created_at, 'UTC'), id)`);
    await q.query(`CREATE INDEX models_updated_ms_id ON models (date_trunc('milliseconds', updated_at, 'UTC'), id)`);
    await q.query(`CREATE INDEX models_size_key_id ON models (COALESCE(parameter_count, -1), id)`);
    await q.query(`DROP INDEX models_created_at_id`);
    await q.query(`DROP INDEX models_updated_at_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX models_updated_at_id ON models (updated_at, id)`);
    await q.query(`CREATE INDEX models_created_at_id ON models (created_at, id)`);
    await q.query(`DROP INDEX models_size_key_id`);
    await q.query(`DROP INDEX models_updated_ms_id`);
    await q.query(`DROP INDEX models_created_ms_id`);
  }
}
