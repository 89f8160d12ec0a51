import { createPubSub } from '@graphql-yoga/subscription';
import type { Logger } from 'pino';
import { systemCaller } from '../domain/auth/caller';
import type { TransitionRecord } from '../domain/catalog/catalog-records';
import type { AuditRecord } from '../domain/governance/audit-entry';
import { NotFoundError } from '../domain/common/domain-error';
import { type OperationRecord, TERMINAL_STATUSES } from '../domain/onboarding/operation';
import type { HubEvent } from '../services/events/hub-events';
import type { Services } from '../services/services';

export interface ModelEventPayload {
  type: 'OPERATION' | 'STATUS' | 'AUDIT';
  modelId: string;
  operation: OperationRecord | null;
  fromStatus: TransitionRecord['fromStatus'];
  toStatus: TransitionRecord['toStatus'] | null;
  reason: string | null;
  at: Date;
  /** Set on AUDIT events: the entry appended to the audit log. */
  audit?: AuditRecord | null;
}

// A type alias, not an interface: createPubSub wants an index-signature-compatible map.
type Topics = {
  OPERATION: [operationId: string, operation: OperationRecord];
  MODEL: [modelId: string, event: ModelEventPayload];
};
type Topic = keyof Topics;

export interface EventBus {
  publish<T extends Topic>(topic: T, id: string, payload: Topics[T][1]): void;
  subscribe<T extends Topic>(topic: T, id: string): AsyncIterableIterator<Topics[T][1]>;
  /** Whether any subscriber of this process listens to the topic and id (else an event needs no row read). */
  watched(topic: Topic, id: string): boolean;
  /** The ids of a topic someone here listens to. */
  watchedIds(topic: Topic): string[];
}

/** In-process fan-out of the events each API process receives over LISTEN, counting who listens to what. */
export function createEventBus(): EventBus {
  const pubsub = createPubSub<Topics>();
  const listeners = new Map<string, number>();
  const keyOf = (topic: Topic, id: string) => `${topic}:${id}`;
  return {
    publish(topic, id, payload) {
      (pubsub.publish as (t: Topic, i: string, p: unknown) => void)(topic, id, payload);
    },
    subscribe<T extends Topic>(topic: T, id: string): AsyncIterableIterator<Topics[T][1]> {
      const key = keyOf(topic, id);
      listeners.set(key, (listeners.get(key) ?? 0) + 1);
      const inner = (pubsub.subscribe as (t: Topic, i: string) => AsyncIterableIterator<Topics[T][1]>)(topic, id);
      // The pubsub's Repeater adds its listener only on its first next(): started here, an event published between
      // this subscribe and the consumer's first next() (while a subscription reads its snapshot) is queued, not lost.
      let head: Promise<IteratorResult<Topics[T][1]>> | null = inner.next();
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (listeners.get(key) ?? 1) - 1;
        if (left > 0) listeners.set(key, left);
        else listeners.delete(key);
      };
      const iterator: AsyncIterableIterator<Topics[T][1]> = {
        [Symbol.asyncIterator]: () => iterator,
        next: async () => {
          const pending = head ?? inner.next();
          head = null;
          const result = await pending;
          if (result.done) release();
          return result;
        },
        return: async (value?: unknown) => {
          head = null;
          release();
          return (await inner.return?.(value)) ?? { done: true, value: undefined };
        },
        throw: async (error?: unknown) => {
          head = null;
          release();
          if (inner.throw) return inner.throw(error);
          throw error;
        },
      };
      return iterator;
    },
    watched: (topic, id) => listeners.has(keyOf(topic, id)),
    watchedIds: (topic) => [...listeners.keys()].filter((key) => key.startsWith(`${topic}:`)).map((key) => key.slice(topic.length + 1)),
  };
}

/** How many operations the fan-out remembers the last published sequence of (memory stays bounded). */
const REMEMBERED_OPERATIONS = 10_000;

/**
 * The fan-out reads each changed row once for every subscriber of this process, as the system: each subscriber was
 * checked against the row's project when it subscribed (NOT_FOUND otherwise), and its fields resolve with its own caller.
 */
const FAN_OUT = systemCaller('event fan-out');

/**
 * Turns NOTIFY payloads (ids and a sequence) into the rows subscribers see: one read per event for the whole
 * process, however many subscribers. An event whose sequence was already covered by a newer read is skipped;
 * reads may finish out of order, so subscribers still drop what is not newer than what they have.
 */
export function createEventFanOut(bus: EventBus, services: Pick<Services, 'operations' | 'modelQueries' | 'auditQueries'>, log: Logger) {
  const published = new Map<string, number>();

  const remember = (operation: OperationRecord) => {
    published.delete(operation.id);
    if (TERMINAL_STATUSES.has(operation.status)) return;
    published.set(operation.id, operation.sequence);
    if (published.size > REMEMBERED_OPERATIONS) published.delete(published.keys().next().value as string);
  };

  const onOperation = async (event: Extract<HubEvent, { kind: 'operation' }>) => {
    // Nobody here listens: no read at all (a busy worker sends many events per second per import).
    if (!bus.watched('OPERATION', event.operationId) && !bus.watched('MODEL', event.modelId)) return;
    if ((published.get(event.operationId) ?? -1) >= event.sequence) return;
    const operation = await services.operations.get(FAN_OUT, event.operationId);
    remember(operation);
    publishOperation(bus, operation);
  };

  const onStatus = async (event: Extract<HubEvent, { kind: 'status' }>) => {
    if (!bus.watched('MODEL', event.modelId)) return;
    const transition = await services.modelQueries.transition(FAN_OUT, event.transitionId);
    publishTransition(bus, transition);
  };

  const onAudit = async (event: Extract<HubEvent, { kind: 'audit' }>) => {
    if (!bus.watched('MODEL', event.modelId)) return;
    publishAudit(bus, event.modelId, await services.auditQueries.get(FAN_OUT, event.auditId));
  };

  const onEvent = async (event: HubEvent): Promise<void> => {
    try {
      if (event.kind === 'operation') await onOperation(event);
      else if (event.kind === 'status') await onStatus(event);
      else await onAudit(event);
    } catch (error) {
      // A row deleted since the NOTIFY (its model was deleted) has nobody left to tell.
      if (error instanceof NotFoundError) return;
      log.warn({ err: error, event }, 'could not read the row of an event; subscribers miss it');
    }
  };

  /**
   * After the LISTEN connection dropped and came back: every watched operation and model is re-read and its
   * current rows published, so no subscriber waits for a NOTIFY that was lost. Subscribers drop rows that are
   * not newer than what they have; transitions are published only when they happened since the drop.
   */
  const resync = async (droppedAt: Date): Promise<void> => {
    const modelIds = bus.watchedIds('MODEL');
    const operationIds = new Set(bus.watchedIds('OPERATION'));
    const ofModels = modelIds.length ? await services.operations.forModels(FAN_OUT, modelIds) : [];
    for (const operation of ofModels) {
      operationIds.delete(operation.id);
      if (operation.updatedAt >= droppedAt || !TERMINAL_STATUSES.has(operation.status)) publishOperation(bus, operation);
    }
    for (const id of operationIds) {
      const operation = await services.operations.get(FAN_OUT, id).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      if (operation) publishOperation(bus, operation);
    }
    const transitions = modelIds.length ? await services.modelQueries.transitionsFor(FAN_OUT, modelIds) : [];
    for (const transition of transitions) if (transition.occurredAt >= droppedAt) publishTransition(bus, transition);
    log.info({ operations: ofModels.length + operationIds.size, models: modelIds.length }, 're-read watched state after the event listener reconnected');
  };

  return Object.assign(onEvent, { resync });
}

export function publishOperation(bus: EventBus, operation: OperationRecord): void {
  bus.publish('OPERATION', operation.id, operation);
  bus.publish('MODEL', operation.modelId, {
    type: 'OPERATION',
    modelId: operation.modelId,
    operation,
    fromStatus: null,
    toStatus: null,
    reason: null,
    at: operation.updatedAt,
  });
}

export function publishTransition(bus: EventBus, transition: TransitionRecord): void {
  bus.publish('MODEL', transition.modelId, {
    type: 'STATUS',
    modelId: transition.modelId,
    operation: null,
    fromStatus: transition.fromStatus,
    toStatus: transition.toStatus,
    reason: transition.reason,
    at: transition.occurredAt,
  });
}

export function publishAudit(bus: EventBus, modelId: string, audit: AuditRecord): void {
  bus.publish('MODEL', modelId, { type: 'AUDIT', modelId, operation: null, fromStatus: null, toStatus: null, reason: audit.reason, at: audit.occurredAt, audit });
}
