import { ValidationError } from '../domain/common/domain-error';
import { DestinationRefusedError, resolveChecked, type Target } from '../net/guarded-request';
import type { LoadTarget } from './load-types';

/**
 * A run's endpoint resolved once and checked against its policy (null without one): what every way out to it (the
 * load generator, its threads, lm_eval's relay) connects to. A refusal is the request's fault, answered as
 * BAD_USER_INPUT on target.url and never retried; a DNS fault stays an error the activity retries.
 */
export async function checkedTarget(target: LoadTarget): Promise<Target | null> {
  if (!target.policy) return null;
  try {
    return await resolveChecked(new URL(target.baseUrl), target.policy);
  } catch (error) {
    if (error instanceof DestinationRefusedError) throw new ValidationError('target.url', error.message);
    throw error;
  }
}

/** The checked address alone (load threads get it by message). */
export async function checkedAddress(target: LoadTarget): Promise<string | null> {
  return (await checkedTarget(target))?.address ?? null;
}
