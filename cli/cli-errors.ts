/**
 * Exit codes of `modelhub` (documented in README "Command line"). Scripts branch on them, so a code never
 * changes meaning; `scan` keeps the codes of `npm run scan` (0 clean, 1 findings, 2 unscannable).
 */
export const ExitCode = {
  OK: 0,
  /** scan found something; watch/--wait: the operation FAILED or was CANCELLED. */
  FAILED: 1,
  /** bad arguments, or scan: unreadable/unscannable input. */
  USAGE: 2,
  UNAUTHENTICATED: 3,
  FORBIDDEN: 4,
  NOT_FOUND: 5,
  CONFLICT: 6,
  BAD_USER_INPUT: 7,
  POLICY_VIOLATION: 8,
  /** the server could not be reached, or answered an internal error. */
  UNAVAILABLE: 9,
  /** a downloaded file's sha256 is not the one the registry lists. */
  INTEGRITY: 10,
  /** Ctrl-C: uploads and downloads keep what arrived; run the command again to resume. */
  INTERRUPTED: 130,
} as const;

const BY_CODE: ReadonlyMap<string, number> = new Map([
  ['UNAUTHENTICATED', ExitCode.UNAUTHENTICATED],
  ['FORBIDDEN', ExitCode.FORBIDDEN],
  ['NOT_FOUND', ExitCode.NOT_FOUND],
  ['CONFLICT', ExitCode.CONFLICT],
  ['BAD_USER_INPUT', ExitCode.BAD_USER_INPUT],
  ['GRAPHQL_VALIDATION_FAILED', ExitCode.BAD_USER_INPUT],
  ['GRAPHQL_PARSE_FAILED', ExitCode.BAD_USER_INPUT],
  ['QUERY_TOO_COSTLY', ExitCode.BAD_USER_INPUT],
  ['QUERY_TOO_DEEP', ExitCode.BAD_USER_INPUT],
  ['POLICY_VIOLATION', ExitCode.POLICY_VIOLATION],
  ['INTERNAL_SERVER_ERROR', ExitCode.UNAVAILABLE],
  ['UNAVAILABLE', ExitCode.UNAVAILABLE],
  ['INTEGRITY', ExitCode.INTEGRITY],
  ['USAGE', ExitCode.USAGE],
  ['INTERRUPTED', ExitCode.INTERRUPTED],
]);

/** An expected failure: printed as one line `modelhub: <message> (<code>)`, never with a stack unless --debug. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(
    message: string,
    readonly code: string,
    exitCode?: number,
  ) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode ?? BY_CODE.get(code) ?? ExitCode.FAILED;
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, 'USAGE');
}

/** HTTP statuses of the files and hub routes, when their body carries no code. */
export function codeOfStatus(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 451) return 'POLICY_VIOLATION';
  if (status >= 400 && status < 500) return 'BAD_USER_INPUT';
  return 'UNAVAILABLE';
}

/** Node's network failures (fetch wraps them in `cause`) as one readable line. */
export function networkError(error: unknown, url: string): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach ${url}: ${why}`, 'UNAVAILABLE');
}
