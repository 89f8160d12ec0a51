import type { EntityManager } from 'typeorm';
import type { ModelStatus } from '../../domain/lifecycle/model-status';
import type { OperationRecord } from '../../domain/onboarding/operation';

/** One Postgres channel carries every event; API processes LISTEN and fan out to subscribers. */
export const EVENTS_CHANNEL = 'modelhub_events';

export type HubEvent =
  | { kind: 'operation'; modelId: string; operation: OperationRecord }
  | { kind: 'status'; modelId: string; from: ModelStatus | null; to: ModelStatus; reason: string | null; at: Date };

const BIGINT = '$bigint:';
const DATE = '$date:';

/** JSON with bigints and dates kept (NOTIFY payloads are text). */
export function encodeEvent(event: HubEvent): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    if (typeof raw === 'bigint') return `${BIGINT}${raw}`;
    if (raw instanceof Date) return `${DATE}${raw.toISOString()}`;
    return value;
  });
}

export function decodeEvent(payload: string): HubEvent {
  return JSON.parse(payload, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (value.startsWith(BIGINT)) return BigInt(value.slice(BIGINT.length));
    if (value.startsWith(DATE)) return new Date(value.slice(DATE.length));
    return value;
  }) as HubEvent;
}

/** Inside a transaction the notification is delivered on commit, never for work that rolled back. */
export async function publishEvent(manager: EntityManager, event: HubEvent): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, encodeEvent(event)]);
}
