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
      temporalLog[sdkLogLevel(level, message)](meta ?? {}, message);
    }),
  });
}

/**
 * Our level for an SDK line. This host's own worker (`<taskQueue>@<host>`) runs activities only by design, so the
 * SDK's warning that it has no workflows is expected and would alarm at every start: it goes to debug.
 */
export function sdkLogLevel(level: string, message: string): 'error' | 'warn' | 'debug' {
  if (level === 'ERROR') return 'error';
  return message.startsWith('No workflows registered') ? 'debug' : 'warn';
}
