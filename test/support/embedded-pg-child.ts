import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from '../../src/config/config';
import { openDatabase } from '../../src/persistence/database';

/**
 * A dev-like process for the crash tests: opens the database the way `npm run dev` does (DATABASE_URL unset, so the
 * embedded PostgreSQL under EMBEDDED_PG_DIR), says "ready", then waits to be killed.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, pino({ level: 'warn' }));
  process.stdout.write(`ready ${database.url}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
