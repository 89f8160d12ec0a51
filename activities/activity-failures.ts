import { randomUUID } from 'node:crypto';
import { ApplicationFailure, log } from '@temporalio/activity';
import { MalformedArtifactError } from '../src/domain/artifacts/artifact.errors';
import { DomainError } from '../src/domain/common/domain-error';
import { SOURCE_UNREACHABLE } from '../src/domain/onboarding/source-retry';
import { StoreUnavailableError } from '../src/domain/storage/store';
import { SourceUnavailableError, SourceUnreachableError } from '../src/storage/sources/model-source';

/**
 * Errors that retrying cannot fix become non-retryable failures carrying a code; anything else
 * (network resets, a database restart) propagates so the activity's retry policy applies.
 */
export async function failFast<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A store that is away comes back: retried by the activity's policy (its attempt cap decides when to give up).
    if (error instanceof StoreUnavailableError) throw ApplicationFailure.retryable(error.message, error.code);
    if (error instanceof DomainError || error instanceof MalformedArtifactError) {
      throw ApplicationFailure.nonRetryable(error.message, error.code);
    }
    if (error instanceof SourceUnavailableError) throw ApplicationFailure.nonRetryable(error.message, `SOURCE_${error.code}`);
    // Retryable by type: the import workflow lists SOURCE_UNREACHABLE as non-retryable and retries it itself,
    // within the external-source budget, showing each failure on the operation (workflows/source-retry.ts).
    if (error instanceof SourceUnreachableError) throw ApplicationFailure.retryable(error.message, SOURCE_UNREACHABLE);
    throw masked(error);
  }
}

/**
 * System and database errors name paths, hosts, ports and SQL. Once retries run out their message becomes the
 * operation's errorMessage, which every viewer reads: they stay retryable but carry only a reference, and the
 * details go to the worker's log under it.
 */
function masked(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const system = error as NodeJS.ErrnoException & { query?: unknown; driverError?: unknown; routine?: unknown; stagingPath?: unknown };
  // Node system errors (errno, syscall), TypeORM and pg errors (query, driverError, routine), staging paths.
  const internal =
    system.syscall !== undefined || typeof system.errno === 'number' || system.query !== undefined ||
    system.driverError !== undefined || system.routine !== undefined || system.stagingPath !== undefined;
  if (!internal) return error;
  const reference = randomUUID();
  log.warn('activity failed with an internal error', { reference, error: error.message, code: system.code });
  return ApplicationFailure.retryable(`internal error (reference ${reference})`, 'INTERNAL');
}
