import { ApplicationFailure } from '@temporalio/activity';
import { MalformedArtifactError } from '../src/domain/artifacts/artifact.errors';
import { DomainError } from '../src/domain/common/domain-error';
import { SourceUnavailableError } from '../src/storage/sources/model-source';

/**
 * Errors that retrying cannot fix become non-retryable failures carrying a code; anything else
 * (network resets, a database restart) propagates so the activity's retry policy applies.
 */
export async function failFast<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError || error instanceof MalformedArtifactError) {
      throw ApplicationFailure.nonRetryable(error.message, error.code);
    }
    if (error instanceof SourceUnavailableError) throw ApplicationFailure.nonRetryable(error.message, `SOURCE_${error.code}`);
    throw error;
  }
}
