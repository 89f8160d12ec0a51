import { ValidationError } from '../common/domain-error';

/** Where a leaderboard page ended: the last entry's value (as PostgreSQL printed it, so it compares exactly), name and id. */
export interface LeaderboardCursor {
  metric: string;
  value: string;
  modelName: string;
  modelId: string;
}

const NOT_OURS = 'is not a cursor returned by this API';

export function encodeLeaderboardCursor(cursor: LeaderboardCursor): string {
  return Buffer.from(JSON.stringify(['lb', cursor.metric, cursor.value, cursor.modelName, cursor.modelId]), 'utf8').toString('base64url');
}

/** A cursor of another metric's board, or anything we did not issue, is the caller's error on `after`. */
export function decodeLeaderboardCursor(raw: string, metric: string): LeaderboardCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('after', NOT_OURS);
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== 'lb' || !parsed.slice(1).every((p) => typeof p === 'string')) {
    throw new ValidationError('after', NOT_OURS);
  }
  const [, forMetric, value, modelName, modelId] = parsed as string[];
  if (!/^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(value) || !/^[0-9a-f-]{36}$/.test(modelId)) throw new ValidationError('after', NOT_OURS);
  if (forMetric !== metric) throw new ValidationError('after', `was issued for the ${forMetric} board, not ${metric}`);
  return { metric, value, modelName, modelId };
}
