import type { Pool } from 'pg';

/** Words the bulk descriptions are built from: each search term below matches a known share of rows. */
export const SEARCH_WORDS = ['llama', 'mistral', 'whisper', 'diffusion', 'bert', 'vision', 'coder', 'embedding', 'reranker', 'tiny'];
/** Tags of the bulk rows: topic tags (1 in 20 rows each) and family tags (1 in 1,000 rows each). */
export const TOPIC_TAGS = Array.from({ length: 20 }, (_, i) => `topic-${i}`);
export const PAGE_TAG = 'bench-page';

/**
 * 100,000-row catalogs in seconds: one INSERT … SELECT per batch. Names and descriptions follow i so each search
 * term has a known number of matches; created_at is spread so ordering has work to do.
 */
export async function seedBulkModels(pool: Pool, total: number, batch = 25_000): Promise<void> {
  const words = `(ARRAY[${SEARCH_WORDS.map((w) => `'${w}'`).join(',')}])`;
  for (let from = 1; from <= total; from += batch) {
    const to = Math.min(total, from + batch - 1);
    await pool.query(
      `INSERT INTO models (name, display_name, description, source_type, tags, status, created_by, created_at, updated_at)
       SELECT 'bulk-' || i,
              initcap(${words}[1 + i % 10]) || ' ' || (i % 997),
              'A ' || ${words}[1 + (i / 10) % 10] || ' model for ' || ${words}[1 + (i / 100) % 10] || ' tasks, build ' || md5(i::text),
              'HUGGING_FACE',
              ARRAY['topic-' || (i % 20), 'family-' || (i % 100)],
              'DRAFT', 'bench', now() - make_interval(secs => i), now() - make_interval(secs => i)
       FROM generate_series($1::int, $2::int) AS i`,
      [from, to],
    );
  }
  await pool.query('ANALYZE models');
}

/** A scan per model (on its newest version) and two benchmarks per version, for the models of the page tag. */
export async function seedPageRelations(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO scan_results (model_id, version_id, scanner, status, findings, files_scanned, bytes_scanned, started_at, completed_at)
     SELECT v.model_id, v.id, 'clamav', 'PASSED', '[]', 1, 1024, now(), now()
     FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.tags @> ARRAY[$1]`,
    [PAGE_TAG],
  );
  await pool.query(
    `INSERT INTO benchmarks (model_id, version_id, hardware_profile, throughput_tokens_per_second, recorded_by)
     SELECT v.model_id, v.id, p.profile, 100 + random() * 50, 'bench'
     FROM model_versions v JOIN models m ON m.id = v.model_id CROSS JOIN (VALUES ('L4'), ('A100')) AS p(profile)
     WHERE m.tags @> ARRAY[$1]`,
    [PAGE_TAG],
  );
  await pool.query('ANALYZE');
}
