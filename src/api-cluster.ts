import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { METRICS_ANSWER, METRICS_ASK, type MetricsAnswer, type MetricsAsk } from './observability/cluster-metrics';
import type { Config } from './config/config';
import { openDatabase } from './persistence/database';
import { startTemporalDevServer } from './temporal/dev-server';

/**
 * API_PROCESSES > 1: this process is the cluster primary of `npm start`. It serves nothing itself; it does once what
 * the API processes must not each do, then forks them and keeps them running:
 * - the embedded PostgreSQL (DATABASE_URL unset) and the Temporal dev server (TEMPORAL_ADDRESS unset) are started
 *   here, once, and handed to the workers as DATABASE_URL / TEMPORAL_ADDRESS;
 * - migrations run here, once, under the advisory lock (MIGRATE_ON_START decides, as for one process); the workers
 *   start with MIGRATE_ON_START=false and only check that the schema is current;
 * - GET /metrics, answered by whichever worker took the connection, is the sum over all workers (prom-client's
 *   AggregatorRegistry, gathered here over the cluster IPC channel);
 * - a worker that dies unexpectedly is replaced, after a backoff that doubles with each death in the last minute;
 *   workers that keep dying before they listen end the primary with exit 1;
 * - SIGTERM/SIGINT are forwarded to every worker, which drains as a single process does; the primary exits 0 once
 *   all have exited 0.
 * The HTTP port is shared through node:cluster (the primary accepts and hands connections round-robin).
 * Subscriptions need nothing here: each worker has its own LISTEN connection, so a NOTIFY reaches every worker's
 * subscribers, as it reaches every replica of a scaled-out deployment.
 */

/** Deaths before listening, in a row, after which the primary gives up (a bad config, a port taken, …). */
const START_FAILURES_LIMIT = 5;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 15_000;
const BACKOFF_WINDOW_MS = 60_000;

export async function runApiCluster(config: Config, log: Logger): Promise<void> {
  const count = config.apiProcesses;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => log.warn({ err: error }, 'shutdown step failed'));
    closers.length = 0;
  };
  const workerEnv: Record<string, string> = { MIGRATE_ON_START: 'false' };
  // A signal while the embedded PostgreSQL or Temporal starts is kept, not fatal: once they are up they are stopped
  // again and the primary exits, so nothing it started is orphaned.
  let early: NodeJS.Signals | null = null;
  const keep = (signal: NodeJS.Signals) => (early ??= signal);
  process.on('SIGTERM', keep);
  process.on('SIGINT', keep);
  try {
    const database = await openDatabase(config, log);
    // The primary keeps only the embedded PostgreSQL (if any) running; its own pool is not needed past migrating.
    await database.dataSource.destroy();
    closers.push(() => database.close());
    workerEnv.DATABASE_URL = database.url;
    if (!config.temporal.address) {
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
      workerEnv.TEMPORAL_ADDRESS = server.address;
      log.info({ address: server.address, ui: server.uiUrl }, 'Temporal dev server started');
    }
  } catch (error) {
    await closeAll();
    throw error;
  } finally {
    process.off('SIGTERM', keep);
    process.off('SIGINT', keep);
  }
  if (early) {
    log.info({ signal: early }, 'stopped while starting');
    await closeAll();
    process.exit(0);
  }

  const aggregator = new AggregatorRegistry();
  const listening = new Set<Worker>();
  const deaths: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let startFailuresInARow = 0;
  let stopping: NodeJS.Signals | null = null;
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork(workerEnv);
    worker.on('message', (message: MetricsAsk) => {
      if (message?.type !== METRICS_ASK) return;
      const answer = (reply: Omit<MetricsAnswer, 'type' | 'id'>) => {
        if (worker.isConnected()) worker.send({ type: METRICS_ANSWER, id: message.id, ...reply } satisfies MetricsAnswer);
      };
      aggregator.clusterMetrics().then(
        (body) => answer({ body }),
        (error: unknown) => answer({ error: error instanceof Error ? error.message : String(error) }),
      );
    });
    worker.once('listening', () => {
      listening.add(worker);
      startFailuresInARow = 0;
      if (listening.size === count && !stopping) {
        log.info({ processes: count, pids: [...listening].map((w) => w.process.pid), port: config.port }, `${count} API processes listening`);
      }
    });
  };

  const finish = async () => {
    for (const timer of timers) clearTimeout(timer);
    await closeAll();
    log.info({ exitCode }, 'API cluster stopped');
    process.exit(exitCode);
  };

  const stop = (signal: NodeJS.Signals, code = 0) => {
    if (stopping) return;
    stopping = signal;
    if (code !== 0) exitCode = code;
    log.info({ signal }, 'stopping the API processes');
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    // Each worker bounds its own drain by SHUTDOWN_TIMEOUT_MS; this is the backstop for one that hangs anyway.
    setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'API processes did not stop in time; killing them');
      exitCode = 1;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 5000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) void finish();
  };
  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker);
    if (stopping) {
      // One that ends by the signal it was sent (killed before it could handle it, while starting) stopped cleanly.
      if (code !== 0 && signal !== stopping) exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) void finish();
      return;
    }
    const now = Date.now();
    deaths.push(now);
    while (deaths.length && deaths[0] < now - BACKOFF_WINDOW_MS) deaths.shift();
    if (!wasListening) startFailuresInARow += 1;
    if (startFailuresInARow >= START_FAILURES_LIMIT) {
      log.error({ pid: worker.process.pid, code, signal, failures: startFailuresInARow }, `API processes keep exiting before they listen (${startFailuresInARow} in a row): stopping`);
      stop('SIGTERM', 1);
      return;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (deaths.length - 1));
    log.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, `an API process exited unexpectedly (code ${code}, signal ${signal}); starting another in ${delay} ms`);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopping) fork();
    }, delay);
    timers.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log.info({ processes: count }, `starting ${count} API processes`);
  for (let i = 0; i < count; i++) fork();
}
