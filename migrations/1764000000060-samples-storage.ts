import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Benchmark samples are gzip'd already, so PostgreSQL's own compression gains nothing on them; stored EXTERNAL
 * (out of line, uncompressed) a download reads them in slices with substring(), which then fetches only the
 * TOAST chunks of each slice instead of decompressing the whole value for every slice.
 */
export class SamplesStorage1764000000060 implements MigrationInterface {
  name = 'SamplesStorage1764000000060';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE benchmarks ALTER COLUMN samples SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE benchmarks ALTER COLUMN samples SET STORAGE EXTENDED`);
  }
}
