import type { Logger } from 'pino';

/** Runs the steps in order on SIGINT/SIGTERM, once, then exits. */
export function onShutdown(log: Logger, steps: (() => Promise<void>)[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const step of steps) await step().catch((error: unknown) => log.error({ err: error }, 'shutdown step failed'));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
