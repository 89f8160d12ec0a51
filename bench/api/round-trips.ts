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

export interface MutationStatements {
  /** Statements PostgreSQL ran per call (BEGIN and COMMIT included), or null without pg_stat_statements. */
  perCall: number | null;
  /** The statements behind it, most frequent first: calls and execution ms per mutation, the statement's start. */
  breakdown: { perCall: number; execMs: number; query: string }[];
}

/** pg_stat_statements in the bench database, when the server loads it (the bench's embedded one does). */
export async function statementCounting(pool: Pool): Promise<boolean> {
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    return true;
  } catch {
    return false;
  }
}

async function statementCalls(pool: Pool, database: string | null): Promise<Map<string, { calls: number; ms: number; query: string }>> {
  const { rows } = await pool.query<{ id: string; calls: string; ms: number; query: string }>(
    `SELECT queryid::text AS id, calls::text, total_exec_time AS ms, query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = COALESCE($1, current_database()))`,
    [database],
  );
  return new Map(rows.map((r) => [r.id, { calls: Number(r.calls), ms: r.ms, query: r.query }]));
}

/**
 * Statements per mutation as PostgreSQL counts them (pg_stat_statements: every statement, BEGIN and COMMIT
 * included), over `calls` sequential calls, in the pool's database or `database` on the same server (MLflow's). Counted per statement and at once (no flush delay, unlike
 * pg_stat_database); the two reads of the view are left out by their text.
 */
export async function statementsPerMutation(pool: Pool, calls: number, run: (i: number) => Promise<void>, database: string | null = null): Promise<MutationStatements> {
  const before = await statementCalls(pool, database);
  for (let i = 0; i < calls; i++) await run(i);
  const after = await statementCalls(pool, database);
  const breakdown: MutationStatements['breakdown'] = [];
  for (const [id, { calls: n, ms, query }] of after) {
    if (query.includes('pg_stat_statements')) continue;
    const delta = n - (before.get(id)?.calls ?? 0);
    const execMs = (ms - (before.get(id)?.ms ?? 0)) / calls;
    if (delta > 0) breakdown.push({ perCall: delta / calls, execMs, query: query.replace(/\s+/g, ' ').slice(0, 90) });
  }
  breakdown.sort((a, b) => b.perCall - a.perCall);
  return { perCall: breakdown.reduce((sum, b) => sum + b.perCall, 0), breakdown };
}
