import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/persistence/data-source';
import { withMigrationLock } from '../src/persistence/database';
import { ensureDatabase, startEmbeddedPostgres } from '../src/persistence/embedded-postgres';
import { freePort } from '../test/support/free-port';

export interface BenchDatabase {
  readonly dataSource: DataSource;
  /** The embedded server's postmaster (its backends are its children), or null on DATABASE_URL's server. */
  readonly postgresPid: number | null;
  close(): Promise<void>;
}

/** A throwaway database on DATABASE_URL's server, dropped on close (never touches the server's other databases). */
async function onServer(adminUrl: string): Promise<{ url: string; pid: number | null; drop: () => Promise<void> }> {
  const name = `modelhub_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
  return { url: url.toString(), pid: null, drop };
}

/** An embedded PostgreSQL with its own temporary data directory and port (no clash with a dev or test cluster). */
async function embedded(): Promise<{ url: string; pid: number | null; drop: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-bench-pg-'));
  // pg_stat_statements counts the statements each mutation sends (bench/api/round-trips.ts).
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'modelhub_bench', settings: { shared_preload_libraries: 'pg_stat_statements' } });
  return {
    url: server.url,
    pid: server.pid,
    drop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A migrated database for a benchmark: DATABASE_URL's server when set, else an embedded one. */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const { url, pid, drop } = process.env.DATABASE_URL ? await onServer(process.env.DATABASE_URL) : await embedded();
  const dataSource = createDataSource({ url, poolSize: 10 });
  try {
    await dataSource.initialize();
    await withMigrationLock(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await drop();
    throw error;
  }
  return {
    dataSource,
    postgresPid: pid,
    async close() {
      await dataSource.destroy();
      await drop();
    },
  };
}
