import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { openDatabase } from '../persistence/database';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
async function main(): Promise<void> {
  const loaded = loadConfig();
  // This is the one run per rollout that migrates, whatever MIGRATE_ON_START says for the replicas.
  const config = { ...loaded, database: { ...loaded.database, migrateOnStart: true } };
  const database = await openDatabase(config, createLogger(config, 'migrate'));
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
