import type { Pool } from 'pg';

/**
 * Statements per request as PostgreSQL counts them: the bench database's committed transactions (every
 * statement outside BEGIN is one) before and after `requests` calls. Backends flush their counters at most
 * every second and otherwise after 10 s idle, hence the waits; only this run uses the database.
 */
export async function statementsPerRequest(pool: Pool, database: string, requests: number, run: () => Promise<void>): Promise<number> {
  const read = async () => {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await client.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [database]);
      return Number(rows[0].n);
    } finally {
      client.release();
    }
  };
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  const before = await read();
  for (let i = 0; i < requests; i++) await run();
  await new Promise((resolve) => setTimeout(resolve, 11_000));
  // The first read's two statements are counted in the window (the second read's are not flushed yet).
  return ((await read()) - before - 2) / requests;
}
