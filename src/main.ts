import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadConfig } from './config/config';
import { createLogger } from './config/logger';
import { reportStartupFailure } from './startup-failure';

/**
 * The subgraph alone (production: the worker runs as its own process, `node dist/src/worker.js`). With
 * API_PROCESSES > 1 this process becomes the cluster primary (src/api-cluster.ts) and each forked API process runs
 * src/api-process.ts on the shared port. Each side loads only its own modules: the primary never loads the
 * GraphQL schema, Apollo or the services (its RSS is the database and migration code alone).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  /* eslint-disable @typescript-eslint/no-require-imports -- each side requires only its own modules (see above) */
  if (config.apiProcesses > 1 && cluster.isPrimary) {
    const { runApiCluster } = require('./api-cluster') as typeof import('./api-cluster');
    return runApiCluster(config, log);
  }
  const { runApiProcess } = require('./api-process') as typeof import('./api-process');
  return runApiProcess(config, log);
  /* eslint-enable @typescript-eslint/no-require-imports */
}

main().catch(reportStartupFailure);
