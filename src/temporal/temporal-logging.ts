import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Routes the Temporal SDK's own log lines (bundling, worker state) through our logger at WARN and up, and leaves
 * signals to src/shutdown.ts: the SDK would otherwise start its own worker shutdown on SIGINT/SIGTERM, racing
 * the ordered one. Call once, in an entry point, before any worker or native connection exists.
 */
export function installTemporalLogging(log: Logger): void {
  const temporalLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      if (level === 'ERROR') temporalLog.error(meta ?? {}, message);
      else temporalLog.warn(meta ?? {}, message);
    }),
  });
}
