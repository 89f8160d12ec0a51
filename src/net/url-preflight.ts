import { ValidationError } from '../domain/common/domain-error';
import { createAddressPolicy } from './address-policy';
import { DestinationRefusedError, resolveChecked } from './guarded-request';

/**
 * Checks a URL import's host when the import is asked for, so a loopback, private or metadata address is the
 * caller's BAD_USER_INPUT at once rather than a failed operation later. The worker checks again on every
 * connection and redirect (DNS may answer differently by then).
 */
export function createUrlPreflight(allow: readonly string[], field = 'url'): (url: string) => Promise<void> {
  const policy = createAddressPolicy(allow);
  return async (url) => {
    try {
      await resolveChecked(new URL(url), policy);
    } catch (error) {
      if (error instanceof DestinationRefusedError) throw new ValidationError(field, error.message);
      // A DNS fault here is not the caller's: the worker resolves again and retries.
    }
  };
}
