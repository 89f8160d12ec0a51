import type { ChildProcess } from 'node:child_process';

/**
 * Stops a helper process we started (the Temporal dev server, clamd): SIGTERM, SIGKILL 5 s later if it still runs;
 * resolves once it has exited. `onExit` is the process-exit hook that would kill it if we died first.
 */
export function stopChild(child: ChildProcess, onExit: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    process.off('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
