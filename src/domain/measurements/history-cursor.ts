import { ValidationError } from '../common/domain-error';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR as NOT_OURS } from '../common/opaque-cursor';

/** Which history a cursor pages through, and in which direction: a cursor is only good for the list that issued it. */
export type HistoryKind = 'benchmark' | 'evaluation';
export type HistoryOrder = 'newest' | 'oldest';

/**
 * Where a page of a model's benchmark or evaluation history ended: the last row's recorded_at exactly as PostgreSQL
 * printed it (microseconds, which a JavaScript Date would round away and so skip or repeat rows) and its id.
 */
export interface HistoryCursor {
  recordedAt: string;
  id: string;
}

// to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'): what the service selects for cursors.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeHistoryCursor(kind: HistoryKind, order: HistoryOrder, cursor: HistoryCursor): string {
  return encodeOpaqueCursor(['h', kind, order, cursor.recordedAt, cursor.id]);
}

/** Anything this API did not issue, or a cursor of the other history or the other direction, is the caller's error. */
export function decodeHistoryCursor(raw: string, kind: HistoryKind, order: HistoryOrder): HistoryCursor {
  const parsed = decodeOpaqueCursor(raw, 256);
  if (parsed.length !== 5 || parsed[0] !== 'h' || !parsed.every((p) => typeof p === 'string')) {
    throw new ValidationError('after', NOT_OURS);
  }
  const [, forKind, forOrder, recordedAt, id] = parsed as string[];
  if ((forOrder !== 'newest' && forOrder !== 'oldest') || (forKind !== 'benchmark' && forKind !== 'evaluation')) throw new ValidationError('after', NOT_OURS);
  // A calendar-checked time only (2026-02-30 would parse in JavaScript but fail the cast in PostgreSQL, and so would
  // year 0, which PostgreSQL does not have).
  const parsedAt = TIMESTAMP.test(recordedAt) ? new Date(recordedAt) : null;
  if (!parsedAt || Number.isNaN(parsedAt.getTime()) || parsedAt.getUTCFullYear() < 1 || parsedAt.toISOString().slice(0, 19) !== recordedAt.slice(0, 19) || !UUID.test(id)) {
    throw new ValidationError('after', NOT_OURS);
  }
  if (forKind !== kind) throw new ValidationError('after', `was issued for the ${forKind} history, not the ${kind} history`);
  if (forOrder !== order) throw new ValidationError('after', `was issued for the ${forOrder === 'newest' ? 'NEWEST_FIRST' : 'OLDEST_FIRST'} order; ask again with the same order`);
  return { recordedAt, id };
}

/** A time window's bounds must be real and in order; `until` is exclusive. */
export function checkWindow(since: Date | null, until: Date | null): void {
  if (since && Number.isNaN(since.getTime())) throw new ValidationError('since', 'is not a date');
  if (until && Number.isNaN(until.getTime())) throw new ValidationError('until', 'is not a date');
  if (since && until && since.getTime() >= until.getTime()) throw new ValidationError('until', 'must be later than since');
}
