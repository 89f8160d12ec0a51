import { createPubSub } from '@graphql-yoga/subscription';
import type { ModelStatus } from '../domain/lifecycle/model-status';
import type { OperationRecord } from '../domain/onboarding/operation';
import type { HubEvent } from '../services/events/hub-events';

export interface ModelEventPayload {
  type: 'OPERATION' | 'STATUS';
  modelId: string;
  operation: OperationRecord | null;
  fromStatus: ModelStatus | null;
  toStatus: ModelStatus | null;
  reason: string | null;
  at: Date;
}

/** In-process fan-out of the events each API process receives over LISTEN. */
export function createEventBus() {
  return createPubSub<{
    OPERATION: [operationId: string, operation: OperationRecord];
    MODEL: [modelId: string, event: ModelEventPayload];
  }>();
}

export type EventBus = ReturnType<typeof createEventBus>;

export function publishHubEvent(bus: EventBus, event: HubEvent): void {
  if (event.kind === 'operation') {
    bus.publish('OPERATION', event.operation.id, event.operation);
    bus.publish('MODEL', event.modelId, {
      type: 'OPERATION',
      modelId: event.modelId,
      operation: event.operation,
      fromStatus: null,
      toStatus: null,
      reason: null,
      at: event.operation.updatedAt,
    });
  } else {
    bus.publish('MODEL', event.modelId, {
      type: 'STATUS',
      modelId: event.modelId,
      operation: null,
      fromStatus: event.from,
      toStatus: event.to,
      reason: event.reason,
      at: event.at,
    });
  }
}
