import type { EventType } from '../../domain/events/event-catalogue';

export interface WebhookEndpointRecord {
  id: string;
  project: string;
  url: string;
  description: string | null;
  events: EventType[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  /** While a rotation's old secret still signs (a second signature on each delivery). */
  previousSecretUntil: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type DeliveryState = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: EventType;
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastResponseExcerpt: string | null;
  lastError: string | null;
  nextRetryAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
  seq: string;
}

export interface EndpointRow {
  id: string;
  project: string;
  url: string;
  description: string | null;
  events: EventType[];
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  previous_secret_until: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export const ENDPOINT_COLUMNS = `id, project, url, description, events, enabled, disabled_reason, disabled_at, failing_since, previous_secret_until, created_by, created_at, updated_at`;

export function endpointRecord(row: EndpointRow): WebhookEndpointRecord {
  return {
    id: row.id,
    project: row.project,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    failingSince: row.failing_since,
    previousSecretUntil: row.previous_secret_until && row.previous_secret_until > new Date() ? row.previous_secret_until : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  type: EventType;
  state: DeliveryState;
  attempts: number;
  last_status: number | null;
  last_latency_ms: number | null;
  last_excerpt: string | null;
  last_error: string | null;
  next_retry_at: Date | null;
  created_at: Date;
  finished_at: Date | null;
  seq: string;
}

export const DELIVERY_COLUMNS = `d.id, d.endpoint_id, d.event_id, o.type, d.state, d.attempts, d.last_status, d.last_latency_ms, d.last_excerpt, d.last_error, d.next_retry_at, d.created_at, d.finished_at, d.seq::text AS seq`;

export function deliveryRecord(row: DeliveryRow): WebhookDeliveryRecord {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.type,
    state: row.state,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastLatencyMs: row.last_latency_ms,
    lastResponseExcerpt: row.last_excerpt,
    lastError: row.last_error,
    nextRetryAt: row.state === 'PENDING' ? row.next_retry_at : null,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    seq: row.seq,
  };
}

/** The rows of an UPDATE … RETURNING: TypeORM's Postgres driver answers `[rows, affected]` for UPDATE. */
export function updatedRows<T>(raw: unknown): T[] {
  const result = raw as unknown[];
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}
