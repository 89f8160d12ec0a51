import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute, GraphQLError } from 'graphql';
import type { GraphQLContext } from '../context';
import { forkContext } from '../context';
import { canonicalJson, scopeKeyOf } from './caller-scope';
import { SharedChecks } from './shared-checks';
import { SubscriberQueue } from './subscriber-queue';

/** The part of a `ws` socket the fan-out reads: bytes handed to `send` and not yet written to the kernel. */
export interface SocketLike {
  readonly bufferedAmount: number;
}

export interface FanOutStats {
  /** Open subscriptions going through the fan-out. */
  subscribers: number;
  /** Distinct (document, variables, caller scope) among them. */
  groups: number;
  /** Executions of a subscription document for an item (shared ones count once). */
  executions: number;
  /** Items a full queue dropped (their state was replaced by a newer one, or they were the oldest). */
  dropped: number;
  /** Subscribers whose queue is full now (their socket stopped taking messages). */
  stalled: number;
  /** The longest any queue has been (never above the limit). */
  deepestQueue: number;
  /** The most bytes a subscriber's socket held unwritten when an item was queued for it. */
  maxBufferedBytes: number;
  /** Access re-checks run (shared among subscribers of one scope and subject). */
  accessChecks: number;
}

interface Group {
  readonly args: ExecutionArgs;
  readonly results: WeakMap<object, Promise<ExecutionResult>>;
  members: number;
}

export interface SubscriptionFanOut {
  /** graphql-ws's `subscribe`: the subscriber's own stream (its checks), executed once per item for its group. */
  subscribe(args: ExecutionArgs, socket?: SocketLike): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  readonly checks: SharedChecks;
  stats(): FanOutStats;
}

export interface FanOutOptions {
  /** Most items waiting for one subscriber's socket. */
  queueLimit: number;
  /** Items with the same key are states of one thing: a newer one replaces an older one in a full queue. */
  stateKey: (item: unknown) => string | null;
  /** Told of every execution and every dropped message (the process's metrics). */
  onExecute?: () => void;
  onDrop?: () => void;
}

function groupKeyOf(args: ExecutionArgs): string {
  const ctx = args.contextValue as GraphQLContext;
  const text = args.document.loc?.source.body ?? JSON.stringify(args.document);
  return canonicalJson([text, args.operationName ?? null, args.variableValues ?? {}, scopeKeyOf(ctx.principal)]);
}

/**
 * Subscriptions executed once per item per group: subscribers whose document, variables and caller scope are equal
 * share one execution of each item their streams yield (the same event object, published once to all of them), and
 * each gets the result through its own bounded queue. Everything per subscriber stays per subscriber: its checks at
 * subscribe time, its access re-checks and token expiry (items of its own stream, never shared), its queue.
 */
export function createSubscriptionFanOut(options: FanOutOptions): SubscriptionFanOut {
  const groups = new Map<string, Group>();
  const checks = new SharedChecks();
  const totals = { subscribers: 0, executions: 0, dropped: 0, deepestQueue: 0, maxBufferedBytes: 0 };
  const queues = new Set<SubscriberQueue<ExecutionResult>>();

  const run = (group: Group, item: unknown): Promise<ExecutionResult> => {
    const memo = typeof item === 'object' && item !== null ? group.results.get(item) : undefined;
    if (memo) return memo;
    totals.executions += 1;
    options.onExecute?.();
    // A fresh context per execution: its loaders read for this item only, whichever member's request it came from.
    const contextValue = forkContext(group.args.contextValue as GraphQLContext);
    const result = Promise.resolve()
      .then(() => execute({ ...group.args, rootValue: item, contextValue }))
      .catch((error: unknown) => ({ errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] }));
    if (typeof item === 'object' && item !== null) group.results.set(item, result);
    return result;
  };

  const join = (args: ExecutionArgs): { group: Group; leave: () => void } => {
    const key = groupKeyOf(args);
    let group = groups.get(key);
    if (!group) {
      group = { args, results: new WeakMap(), members: 0 };
      groups.set(key, group);
    }
    group.members += 1;
    totals.subscribers += 1;
    let left = false;
    const joined = group;
    return {
      group: joined,
      leave: () => {
        if (left) return;
        left = true;
        totals.subscribers -= 1;
        joined.members -= 1;
        if (joined.members === 0 && groups.get(key) === joined) groups.delete(key);
      },
    };
  };

  const subscribe = async (args: ExecutionArgs, socket?: SocketLike) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const events = source[Symbol.asyncIterator]();
    const { group, leave } = join(args);
    const queue = new SubscriberQueue<ExecutionResult>(options.queueLimit, () => {
      totals.dropped += 1;
      options.onDrop?.();
    });
    queues.add(queue);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      queues.delete(queue);
      leave();
      void events.return?.();
    };
    // The pump takes items as they come, never waiting for the socket: a slow reader fills only its own queue.
    void (async () => {
      try {
        for (let next = await events.next(); !next.done && !closed; next = await events.next()) {
          const result = await run(group, next.value);
          if (closed) break;
          queue.offer(result, options.stateKey(next.value));
          totals.deepestQueue = Math.max(totals.deepestQueue, queue.length);
          if (socket) totals.maxBufferedBytes = Math.max(totals.maxBufferedBytes, socket.bufferedAmount);
        }
        queue.end();
      } catch (error) {
        queue.end(error);
      } finally {
        close();
      }
    })();
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      next: () => queue.take(),
      return: () => {
        close();
        queue.close();
        return Promise.resolve({ done: true, value: undefined });
      },
      throw: (error: unknown) => {
        close();
        queue.close();
        return Promise.reject(error);
      },
    };
    return iterator;
  };

  return {
    subscribe,
    checks,
    stats: () => ({
      ...totals,
      groups: groups.size,
      stalled: [...queues].filter((q) => q.full).length,
      accessChecks: checks.runs,
    }),
  };
}
