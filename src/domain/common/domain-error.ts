/** Codes a client can act on; graphql/errors.ts maps them to `extensions.code` one to one. */
export type DomainErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'POLICY_VIOLATION'
  /** An artifact store that cannot be reached or written right now (HTTP 503): retry later or move the version. */
  | 'STORE_UNAVAILABLE'
  /** The project's or the store's storage quota would be exceeded (HTTP 507). */
  | 'QUOTA_EXCEEDED';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  /** Extra, client-safe facts (the offending field, the current state, …). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`, { field });
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  constructor(entity: string, key: string) {
    super(`${entity} "${key}" was not found`, { entity, key });
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED' as const;
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
}

export class PolicyViolationError extends DomainError {
  readonly code = 'POLICY_VIOLATION' as const;
}
