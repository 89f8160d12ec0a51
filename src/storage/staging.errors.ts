/*
 * Transient staging faults. Deliberately plain Errors, not DomainErrors: the activity lets them propagate
 * so Temporal retries, and the next attempt resumes from the bytes already staged.
 */

/** No bytes arrived for the idle timeout: the connection is presumed dead and was torn down. */
export class StalledSourceError extends Error {
  constructor(
    readonly path: string,
    readonly idleMs: number,
    readonly staged: number,
  ) {
    super(`${path}: no bytes for ${idleMs} ms after ${staged} bytes; the transfer was aborted and will resume`);
    this.name = 'StalledSourceError';
  }
}

/** Another live attempt holds the staging file (or took it over from this one); writing too would interleave bytes. */
export class StagingBusyError extends Error {
  constructor(
    readonly stagingPath: string,
    holder: string,
  ) {
    super(`${stagingPath} is being staged by another attempt (${holder})`);
    this.name = 'StagingBusyError';
  }
}
