import { DomainError, type DomainErrorCode } from '../common/domain-error';

/** A file that does not have the structure its format requires (fails closed: never trusted). */
export class MalformedArtifactError extends DomainError {
  readonly code: DomainErrorCode = 'BAD_USER_INPUT';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`, { path });
  }
}

/** The parser needs more of the file than it was given; callers read a longer prefix and retry. */
export class NeedMoreBytesError extends Error {
  constructor(readonly needed: number) {
    super(`header continues past byte ${needed}`);
  }
}
