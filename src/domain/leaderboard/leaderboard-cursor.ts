import { ValidationError } from '../common/domain-error';
import { decodeOpaqueCursor, encodeOpaqueCursor, NOT_OUR_CURSOR as NOT_OURS } from '../common/opaque-cursor';

/** Where a leaderboard page ended: the last entry's value (as PostgreSQL printed it, so it compares exactly), name and id. */
export interface LeaderboardCursor {
  metric: string;
  value: string;
  modelName: string;
  modelId: string;
}


export function encodeLeaderboardCursor(cursor: LeaderboardCursor): string {
  return encodeOpaqueCursor(['lb', cursor.metric, cursor.value, cursor.modelName, cursor.modelId]);
}

/** A cursor of another metric's board, or anything we did not issue, is the caller's error on `after`. */
export function decodeLeaderboardCursor(raw: string, metric: string): LeaderboardCursor {
  const parsed = decodeOpaqueCursor(raw);
  if (parsed.length !== 5 || parsed[0] !== 'lb' || !parsed.slice(1).every((p) => typeof p === 'string')) {
    throw new ValidationError('after', NOT_OURS);
  }
  const [, forMetric, value, modelName, modelId] = parsed as string[];
  // Compared as float8 in SQL: a number out of its range ("1e999", "1e-999") would fail the query, not the cursor.
  const number = Number(value);
  if (value.length > 40 || !/^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(value) || !Number.isFinite(number) || (number === 0 && /[1-9]/.test(value.split(/e/i)[0]))) {
    throw new ValidationError('after', NOT_OURS);
  }
  if (modelName.length > 200 || !/^[0-9a-f-]{36}$/.test(modelId)) throw new ValidationError('after', NOT_OURS);
  if (forMetric !== metric) throw new ValidationError('after', `was issued for the ${forMetric} board, not ${metric}`);
  return { metric, value, modelName, modelId };
}
