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
export async function openDatabase(config: Config, log: Logger, queryLogger?: TypeOrmLogger): Promise<Database> {
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
    const applied = await withMigrationLock(dataSource, () => connectAndMigrate(dataSource));
    if (applied.length) log.info({ applied }, 'migrations applied');
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
