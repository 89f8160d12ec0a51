import type { EntityManager } from 'typeorm';

/** One Postgres channel carries every event; API processes LISTEN and fan out to subscribers. */
export const EVENTS_CHANNEL = 'modelhub_events';

/**
 * What a NOTIFY carries: ids and a sequence, never the row. Postgres refuses payloads of 8000 bytes or more,
 * and an operation's message or error text has no such bound; each listener reads the row once per event.
 */
export type HubEvent =
  | { kind: 'operation'; modelId: string; operationId: string; sequence: number }
  | { kind: 'status'; modelId: string; transitionId: string }
  | { kind: 'audit'; modelId: string; auditId: string };

export function encodeEvent(event: HubEvent): string {
  return JSON.stringify(event);
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 100;
}

/** Parses a payload; anything not of the current shape (another version's process, a stray NOTIFY) is refused. */
export function decodeEvent(payload: string): HubEvent {
  const value = JSON.parse(payload) as Record<string, unknown>;
  if (value.kind === 'operation' && isString(value.modelId) && isString(value.operationId) && Number.isInteger(value.sequence)) {
    return { kind: 'operation', modelId: value.modelId, operationId: value.operationId, sequence: value.sequence as number };
  }
  if (value.kind === 'status' && isString(value.modelId) && isString(value.transitionId)) {
    return { kind: 'status', modelId: value.modelId, transitionId: value.transitionId };
  }
  if (value.kind === 'audit' && isString(value.modelId) && isString(value.auditId)) {
    return { kind: 'audit', modelId: value.modelId, auditId: value.auditId };
  }
  throw new Error(`not a ModelHub event: ${payload.slice(0, 200)}`);
}

/** Inside a transaction the notification is delivered on commit, never for work that rolled back. */
export async function publishEvent(manager: EntityManager, event: HubEvent): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, encodeEvent(event)]);
}
