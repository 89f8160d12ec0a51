import type { DataSource } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { readableCondition, readableParam } from '../domain/governance/access';
import type { PlainRows } from '../persistence/plain-rows';

/**
 * One relation's rows of many models (a DataLoader batch) as plain records, in one statement: `table alias` rows whose
 * `model_id` is among `modelIds`, narrowed to the caller's read scope in the same query (joined to models only when
 * the scope narrows anything). `distinctOnModel` keeps the first row per model in `orderBy` (after the model id).
 */
export async function relationRowsOfModels<T>(
  db: DataSource,
  caller: Caller,
  rows: PlainRows<T>,
  from: { table: string; alias: string; orderBy?: string; distinctOnModel?: boolean },
  modelIds: readonly string[],
): Promise<T[]> {
  if (modelIds.length === 0) return [];
  const { table, alias, orderBy, distinctOnModel } = from;
  const visible = readableCondition(caller, 'm', '$2');
  const sql = [
    `SELECT ${distinctOnModel ? `DISTINCT ON (${alias}.model_id) ` : ''}${rows.select(alias)} FROM ${table} ${alias}`,
    visible ? `JOIN models m ON m.id = ${alias}.model_id` : '',
    `WHERE ${alias}.model_id = ANY($1)${visible ? ` AND ${visible}` : ''}`,
    orderBy ? `ORDER BY ${distinctOnModel ? `${alias}.model_id, ` : ''}${orderBy}` : '',
  ].join(' ');
  const params = visible ? [[...modelIds], readableParam(caller)] : [[...modelIds]];
  return rows.read(await db.query(sql, params));
}
