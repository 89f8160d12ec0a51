import type { Logger } from 'pino';
import type { Config } from './config/config';
import { openDatabase, type Database } from './persistence/database';
import { createServices, type Services } from './services/services';
import type { CorruptionReporter } from './storage/blob-integrity';
import { createArtifactStore } from './storage/create-artifact-store';
import { startTemporalDevServer } from './temporal/dev-server';
import { TemporalGateway } from './temporal/temporal-gateway';

export interface Runtime {
  readonly config: Config;
  readonly database: Database;
  readonly temporalAddress: string;
  /** The dev server's UI when this runtime started one. */
  readonly temporalUiUrl?: string | null;
  readonly services: Services;
  close(): Promise<void>;
}

/**
 * What the API, the worker and `npm run dev` share: the database (embedded when DATABASE_URL is unset),
 * Temporal (a dev server with its UI when TEMPORAL_ADDRESS is unset), the artifact store and the services.
 */
export async function openRuntime(config: Config, log: Logger): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const database = await openDatabase(config, log);
    closers.push(() => database.close());
    let temporalAddress = config.temporal.address;
    let temporalUiUrl: string | null = null;
    if (!temporalAddress) {
      const server = await startTemporalDevServer({
        cliPath: config.temporal.cliPath,
        port: config.temporal.devPort,
        uiPort: config.temporal.devUiPort,
        dbFile: config.temporal.devDbFile,
        toolsDir: config.temporal.toolsDir,
        log: (line) => log.debug({ temporal: line }, 'temporal'),
        notice: (line) => log.warn(line),
      });
      closers.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
      log.info({ address: server.address, ui: server.uiUrl }, 'Temporal dev server started');
    }
    const gateway = await TemporalGateway.connect(temporalAddress, config.temporal);
    closers.push(() => gateway.close());
    const onCorrupt: CorruptionReporter = (report) =>
      log.error({ ...report, event: 'blob-quarantined' }, 'a stored blob no longer matches its sha256: quarantined, never served');
    const store = createArtifactStore(config.artifacts, onCorrupt);
    const services = createServices(database.dataSource, { config, store, workflows: gateway, onCorrupt });
    return {
      config,
      database,
      temporalAddress,
      temporalUiUrl,
      services,
      close: async () => {
        for (const close of closers.reverse()) await close().catch((error: unknown) => log.warn({ err: error }, 'shutdown step failed'));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}
