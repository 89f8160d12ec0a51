import type { EntityManager } from 'typeorm';
import { FoldedWrite } from '../folded-write';
import { checkEventData, type EventType } from '../../domain/events/event-catalogue';

/** The dispatcher LISTENs here; the NOTIFY goes out on commit, and a periodic sweep covers a missed one. */
export const OUTBOX_CHANNEL = 'modelhub_outbox';

/** A payload over this is a bug of the emitter (data carries ids and names, never file contents or lists). */
const MAX_DATA_BYTES = 16 * 1024;

export class EventPayloadError extends Error {}

export interface OutgoingEvent {
  type: EventType;
  project: string;
  data: Record<string, unknown>;
}

/**
 * Writes an event to the outbox inside the caller's transaction: it exists exactly when the change it reports
 * committed, and a rollback takes it away. `data.project` is always the event's project. A payload that does not
 * fit its schema in the catalogue throws (a programming error, found by the emitter's tests), rolling back with it.
 * Returns the event's id, which is also the `webhook-id` of every delivery of it.
 */
export async function recordEvent(manager: EntityManager, event: OutgoingEvent): Promise<string> {
  const row = await eventInto(new FoldedWrite(), event).run(manager);
  return String(row['outbox.id']);
}

/** The outbox row and the dispatcher's NOTIFY as parts of a folded write (`part` names it; its id is `<part>.id`). */
export function eventInto(w: FoldedWrite, event: OutgoingEvent, part = 'outbox'): FoldedWrite {
  const data = { ...event.data, project: event.project };
  const problems = checkEventData(event.type, data);
  if (problems.length > 0) throw new EventPayloadError(`event ${event.type} does not fit its schema: ${problems.slice(0, 5).join('; ')}`);
  const json = JSON.stringify(data);
  if (Buffer.byteLength(json) > MAX_DATA_BYTES) throw new EventPayloadError(`event ${event.type} carries ${Buffer.byteLength(json)} bytes of data`);
  return w
    .sql(part, `INSERT INTO event_outbox (type, project, data) VALUES (${w.param(event.type)}, ${w.param(event.project)}, ${w.param(json, 'jsonb')}) RETURNING id`, ['id'])
    .notify(OUTBOX_CHANNEL, `''`);
}
