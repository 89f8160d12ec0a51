import { PolicyViolationError } from '../common/domain-error';

/** Why a version is taken out of service: the scan that failed, and what it found. */
export interface OutOfServiceReason {
  scanId: string;
  reason: string;
}

/**
 * Whether a version may not be served at all, whoever asks (a rescan FAILED and the version was moved to
 * NEEDS_ATTENTION). Every download path asks this one question, so they refuse alike.
 */
export interface OutOfService {
  outOfService(versionId: string): Promise<OutOfServiceReason | null>;
}

/**
 * A version out of service: HTTP answers it 451 (Unavailable For Legal Reasons: the registry's own policy
 * refuses the bytes, not the caller's rights) with the scan's id in `X-Scan-Id` and the body; GraphQL, where it
 * reaches it, as POLICY_VIOLATION.
 */
export class VersionOutOfServiceError extends PolicyViolationError {
  constructor(
    version: string,
    readonly scanId: string,
    readonly reason: string,
  ) {
    super(`Version ${version} is out of service: its latest security scan ${scanId} FAILED (${reason}); its files are not served until a clean rescan is approved`, {
      scanId,
      reason,
      outOfService: true,
    });
  }
}
