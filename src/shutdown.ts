import type { Logger } from 'pino';

export interface ShutdownStep {
  /** Named in the log when the deadline passes with this step still running. */
  name: string;
  run(): Promise<void>;
}

/**
 * Runs the steps in order on SIGINT/SIGTERM, once, then exits 0. The whole sequence gets `timeoutMs`: past it
 * the process logs which step was still running and exits 1, so an orchestrator's SIGKILL is never needed to
 * end a stuck drain. A second signal, seconds after the first, exits at once (a person pressing Ctrl-C again means it).
 */
const REPEAT_WINDOW_MS = 2000;

export function onShutdown(log: Logger, timeoutMs: number, steps: ShutdownStep[]): void {
  let current: string | null = null;
  let started = 0;
  const stop = async (signal: NodeJS.Signals) => {
    if (started > 0) {
      // One Ctrl-C reaches us twice (from the terminal and forwarded by npm), and `kill` of a process group
      // repeats too: only a signal well after the first means "now".
      if (Date.now() - started < REPEAT_WINDOW_MS) return;
      log.warn({ signal, step: current }, 'second signal: exiting without finishing the shutdown');
      process.exit(1);
    }
    started = Date.now();
    log.info({ signal, timeoutMs }, 'shutting down: finishing in-flight work');
    setTimeout(() => {
      log.error({ step: current, timeoutMs }, `shutdown did not finish within ${timeoutMs} ms (still at: ${current}); exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    for (const step of steps) {
      current = step.name;
      await step.run().catch((error: unknown) => log.error({ err: error, step: step.name }, 'shutdown step failed'));
    }
    log.info({ ms: Date.now() - started }, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
