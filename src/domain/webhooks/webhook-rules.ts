import { ValidationError } from '../common/domain-error';
import { httpUrl, optionalText } from '../common/field-rules';
import { EVENT_TYPES, type EventType, isEventType } from '../events/event-catalogue';

/** Events an endpoint may subscribe to: the catalogue but the ping, which goes only to the endpoint it was asked for. */
export const SUBSCRIBABLE_EVENTS: readonly EventType[] = EVENT_TYPES.filter((type) => type !== 'webhook.ping');

export function webhookUrl(field: string, value: string): string {
  const url = httpUrl(field, value);
  if (url === null) throw new ValidationError(field, 'is required');
  const parsed = new URL(url);
  // Credentials in a URL end up in logs and the delivery log; receivers verify the signature instead.
  if (parsed.username || parsed.password) throw new ValidationError(field, 'must not carry a user name or password');
  return url;
}

export function webhookEvents(field: string, values: readonly string[]): EventType[] {
  if (values.length === 0) throw new ValidationError(field, 'name at least one event');
  const events = new Set<EventType>();
  for (const value of values) {
    if (!isEventType(value) || value === 'webhook.ping') {
      throw new ValidationError(field, `"${value.slice(0, 60)}" is not an event; one of ${SUBSCRIBABLE_EVENTS.join(', ')}`);
    }
    events.add(value);
  }
  return [...events];
}

export function webhookDescription(field: string, value: string | null | undefined): string | null {
  return optionalText(field, value, 500);
}

export interface RetryPolicy {
  retryBaseMs: number;
  retryMaxIntervalMs: number;
  retryWindowMs: number;
}

/**
 * The wait before the next attempt after `attempts` failed ones: exponential (base·2^(n-1), capped), with jitter
 * (between half and all of it) so endpoints coming back from an outage are not hit by every retry at once.
 * `random` is in [0, 1). Null when the next attempt would fall outside the retry window: give up.
 */
export function nextRetryDelayMs(attempts: number, policy: RetryPolicy, elapsedMs: number, random: number): number | null {
  const exponential = Math.min(policy.retryMaxIntervalMs, policy.retryBaseMs * 2 ** Math.min(40, Math.max(0, attempts - 1)));
  const delay = Math.round(exponential * (0.5 + random / 2));
  return elapsedMs + delay > policy.retryWindowMs ? null : delay;
}

const EXCERPT_CHARS = 256;

/**
 * What the delivery log keeps of a receiver's answer: the first characters, control characters replaced. It is
 * shown as a plain string and never interpreted (no HTML, no JSON parsing).
 */
export function responseExcerpt(raw: string): string | null {
  const cleaned = raw.slice(0, EXCERPT_CHARS).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '�');
  return cleaned.length === 0 ? null : cleaned;
}

/** A URL as logs show it: origin and path only (query strings may carry tokens). */
export function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '<invalid url>';
  }
}
