import { DomainError, type DomainErrorCode } from '../common/domain-error';

/** The bytes received are not the bytes the source promised: never retried, never stored. */
export class ChecksumMismatchError extends DomainError {
  readonly code: DomainErrorCode = 'BAD_USER_INPUT';
  constructor(path: string, expected: string, actual: string) {
    super(`${path}: sha256 mismatch, the source says ${expected} but the bytes hash to ${actual}`, { path, expected, actual });
  }
}

export class SizeMismatchError extends DomainError {
  readonly code: DomainErrorCode = 'BAD_USER_INPUT';
  constructor(path: string, expected: number, actual: number) {
    super(`${path}: size mismatch, the source says ${expected} bytes but ${actual} arrived`, { path, expected, actual });
  }
}

/**
 * A non-LFS file whose bytes do not hash to the git blob id the source listed for it (the hub's `oid`).
 * Git files carry no sha256, so without this check they would be the one unverified part of an import.
 */
export class GitBlobMismatchError extends DomainError {
  readonly code: DomainErrorCode = 'BAD_USER_INPUT';
  constructor(path: string, expected: string, actual: string) {
    super(`${path}: git blob id mismatch, the source says ${expected} but the bytes hash to ${actual}`, { path, expected, actual });
  }
}
