import 'reflect-metadata';
import { loadConfig } from './config/config';
import { createLogger } from './config/logger';
import { buildSubgraph } from './graphql/schema';
import { startApp } from './http/app';
import { openDatabase } from './persistence/database';
import { createServices } from './services/services';

/** Wires the subgraph: config → database (embedded by default) → services → HTTP/WebSocket server. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  if (config.auth.usingDevSecret) log.warn('JWT_SECRET is unset: using the local development secret (npm run token)');
  const database = await openDatabase(config, log);
  const app = await startApp({ config, services: createServices(database.dataSource), subgraph: await buildSubgraph(), log });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await app.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
