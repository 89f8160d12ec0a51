import type { Logger } from 'pino';
import type { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import type { Config } from '../config/config';
import { connectAndMigrate, createDataSource } from './data-source';
import { type EmbeddedPostgres, type PostgresEvent, startEmbeddedPostgres } from './embedded-postgres';

export interface Database {
  readonly dataSource: DataSource;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL when it is unset, and applies
 * pending migrations (under an advisory lock, so an API process and a worker starting together
 * do not both migrate).
 */
/** `skip`: connect only (a backup reads the schema as it is); `configured`: MIGRATE_ON_START decides. */
export type MigrationMode = 'configured' | 'skip';

export async function openDatabase(config: Config, log: Logger, queryLogger?: TypeOrmLogger, migrations: MigrationMode = 'configured'): Promise<Database> {
  let embedded: EmbeddedPostgres | null = null;
  let url = config.database.url;
  if (!url) {
    log.info({ dataDir: config.database.embeddedDataDir, port: config.database.embeddedPort }, 'starting embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir: config.database.embeddedDataDir,
      port: config.database.embeddedPort,
      database: 'modelhub',
      onLog: (message) => log.debug({ postgres: message }, 'postgres'),
      onEvent: (event) => logPostgresEvent(log, event),
    });
    url = embedded.url;
  }
  const dataSource = createDataSource({ url, logger: queryLogger });
  try {
    await dataSource.initialize();
    if (migrations === 'skip') {
      // connected; the caller reads the schema as it stands
    } else if (config.database.migrateOnStart) {
      const applied = await withMigrationLock(dataSource, () => connectAndMigrate(dataSource));
      if (applied.length) log.info({ applied }, 'migrations applied');
    } else {
      await waitForSchema(dataSource, log);
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

const SCHEMA_POLL_MS = 2000;

/**
 * MIGRATE_ON_START=false: a replica of a scaled-out deployment never migrates; it waits until the rollout's one
 * migrate run (`npm run migrate`, the Helm chart's job) has applied every migration this code knows, saying so
 * every poll. It never serves against an older schema.
 */
export async function waitForSchema(dataSource: DataSource, log: Logger, pollMs = SCHEMA_POLL_MS): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const pending = await pendingMigrations(dataSource);
    if (pending.length === 0) return;
    if (attempt % 15 === 0) {
      log.warn({ pending }, `waiting for ${pending.length} migration(s) to be applied by "npm run migrate" (MIGRATE_ON_START=false)`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Names of the migrations this code knows that the database has not recorded as applied. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const exists = await dataSource.query<{ present: boolean }[]>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  const applied = new Set<string>();
  if (exists[0]?.present) {
    for (const row of await dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}"`)) applied.add(row.name);
  }
  return dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name).filter((name) => !applied.has(name));
}

/** Recovery and restarts are said at the default level: an operator should see them without asking. */
function logPostgresEvent(log: Logger, event: PostgresEvent): void {
  switch (event.kind) {
    case 'recovered':
      return log.warn({ detail: event.detail }, `embedded PostgreSQL: ${event.detail}`);
    case 'exited':
      return log.error(event, `embedded PostgreSQL exited (code ${event.code}, signal ${event.signal}); restarting in ${event.restartInMs} ms`);
    case 'restarted':
      return log.warn({ pid: event.pid }, 'embedded PostgreSQL restarted; connections are re-opened as they are needed');
    case 'restart-failed':
      return log.error({ error: event.error }, 'embedded PostgreSQL restart failed; trying again');
  }
}

const MIGRATION_LOCK = 7_346_201; // arbitrary, fixed: all ModelHub processes share it

export async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await work();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
