import { Repeater } from '@graphql-yoga/subscription';
import { DomainError, UnauthenticatedError } from '../../domain/common/domain-error';
import type { GraphQLContext } from '../context';

/**
 * A subscription event that ends the stream with an error. The field resolver throws it, so the client gets
 * a result with `errors[].extensions.code` and then `complete`; an error thrown by the stream itself would
 * reach graphql-ws as an `error` message without a code, which gateways mask as "Unexpected error.".
 */
export class StreamEnd {
  constructor(readonly error: DomainError) {}
}

/**
 * What a subscription field resolves each event to. It runs first in every event's execution, so renewing the
 * loaders here makes the event's nested fields read data no older than the event.
 */
export function resolveEvent<T>(event: T | StreamEnd, ctx: GraphQLContext): T {
  if (event instanceof StreamEnd) throw event.error;
  ctx.renewLoaders();
  return event;
}

/** Keep an item, drop it, or keep it as the stream's last. */
export type Verdict = 'send' | 'drop' | 'last';

// setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days); longer waits are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

function onExpiry(expiresAt: Date, timer: { id?: NodeJS.Timeout }, expire: () => void): void {
  const left = expiresAt.getTime() - Date.now();
  if (left <= 0) return expire();
  timer.id = setTimeout(() => onExpiry(expiresAt, timer, expire), Math.min(left, MAX_TIMER_MS));
}

/**
 * Whether the subscriber may still read what it subscribed to: the model may move to another project or its
 * project stop being public while the stream is open. `check` throws (NOT_FOUND) when it may not; it runs before an
 * item is sent when `due(item)` says the item may change access (a model's move), and otherwise at most every
 * `everyMs`, so a stream of many events costs one check per interval, not one per event.
 */
export interface AccessRecheck<T> {
  /** Called with the item about to be sent (checks of subscribers of one scope share one run per item). */
  check: (item: T) => Promise<unknown>;
  due: (item: T) => boolean;
  everyMs: number;
}

/**
 * `first`, then the source's items, each kept or dropped by `step`; when the context's token expires, one
 * StreamEnd(UNAUTHENTICATED) and the end; when `access` finds the subscriber may no longer read the subject, one
 * StreamEnd with its error (NOT_FOUND) and the end, before anything of the subject's new project is sent. A
 * Repeater rather than an async generator: a client that unsubscribes closes the source at once, even while the
 * stream waits for an event.
 */
export function subscriptionStream<T>(
  ctx: Pick<GraphQLContext, 'tokenExpiresAt'>,
  source: AsyncIterable<T>,
  step: (item: T) => Verdict,
  first: readonly T[] = [],
  access: AccessRecheck<T> | null = null,
): Repeater<T | StreamEnd> {
  return new Repeater<T | StreamEnd>(async (push, stop) => {
    const events = source[Symbol.asyncIterator]();
    const timer: { id?: NodeJS.Timeout } = {};
    void stop.then(() => {
      clearTimeout(timer.id);
      void events.return?.();
    });
    if (ctx.tokenExpiresAt) {
      onExpiry(ctx.tokenExpiresAt, timer, () => {
        void push(new StreamEnd(new UnauthenticatedError('The access token has expired; subscribe again with a new one')));
        stop();
      });
    }
    let checkedAt = Date.now();
    // True when the subscriber lost access: a StreamEnd was pushed and the stream must end.
    const lostAccess = async (item: T): Promise<boolean> => {
      if (!access || (!access.due(item) && Date.now() - checkedAt < access.everyMs)) return false;
      try {
        await access.check(item);
        checkedAt = Date.now();
        return false;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        await push(new StreamEnd(error));
        return true;
      }
    };
    const offer = async (item: T): Promise<boolean> => {
      const verdict = step(item);
      if (verdict === 'drop') return false;
      if (await lostAccess(item)) return true;
      await push(item);
      return verdict === 'last';
    };
    for (const item of first) {
      if (await offer(item)) {
        stop();
        return;
      }
    }
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (await offer(next.value)) break;
    }
    stop();
  });
}
