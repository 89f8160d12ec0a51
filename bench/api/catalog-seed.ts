import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Words the bulk descriptions are built from: each search term below matches a known share of rows. */
export const SEARCH_WORDS = ['llama', 'mistral', 'whisper', 'diffusion', 'bert', 'vision', 'coder', 'embedding', 'reranker', 'tiny'];
/** Tags of the bulk rows: topic tags (1 in 20 rows each) and family tags (1 in 1,000 rows each). */
export const TOPIC_TAGS = Array.from({ length: 20 }, (_, i) => `topic-${i}`);
export const PAGE_TAG = 'bench-page';

const seedBase = Date.now();

/** Bulk row `i` as a line of COPY's text format (tab-separated; nothing here needs escaping). */
function bulkRow(i: number): string {
  const word = (n: number) => SEARCH_WORDS[Math.floor(n) % 10];
  const display = `${word(i)[0].toUpperCase()}${word(i).slice(1)} ${i % 997}`;
  const description = `A ${word(i / 10)} model for ${word(i / 100)} tasks, build ${createHash('md5').update(String(i)).digest('hex')}`;
  const at = new Date(seedBase - i * 1000).toISOString();
  return `bulk-${i}\t${display}\t${description}\tHUGGING_FACE\t{topic-${i % 20},family-${i % 100}}\tDRAFT\tbench\t${at}\t${at}\n`;
}

/**
 * Bulk models `from`..`to` by COPY from this process (a million rows in a few minutes, most of it the trigram and GIN
 * index upkeep). Names and descriptions follow i so each search term has a known share of matches (SEARCH_WORDS: a
 * tenth of the rows each as display word, a tenth as description word); created_at is one second apart, newest first.
 */
export async function seedBulkModels(pool: Pool, from: number, to: number): Promise<void> {
  const client = await pool.connect();
  try {
    const sink = client.query(
      copyFrom('COPY models (name, display_name, description, source_type, tags, status, created_by, created_at, updated_at) FROM STDIN'),
    );
    async function* rows() {
      const chunk: string[] = [];
      for (let i = from; i <= to; i++) {
        chunk.push(bulkRow(i));
        if (chunk.length === 2000) yield chunk.splice(0).join('');
      }
      if (chunk.length) yield chunk.join('');
    }
    await pipeline(Readable.from(rows()), sink);
  } finally {
    client.release();
  }
  // As autovacuum leaves a settled catalog: statistics for the planner, a visibility map for index-only scans.
  await pool.query('VACUUM ANALYZE models');
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
