import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

export interface FailureDetails {
  code: string;
  message: string;
}

/** The most useful message and code in an activity failure chain (ApplicationFailure.type carries the code). */
export function failureDetails(error: unknown): FailureDetails {
  let cause: unknown = error;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'FAILED', message: cause.message };
  if (cause instanceof TimeoutFailure) return { code: 'TIMEOUT', message: `timed out (${cause.timeoutType})` };
  return { code: 'FAILED', message: cause instanceof Error ? cause.message : String(cause) };
}
