import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { type EntityManager, type EntityTarget, type ObjectLiteral, QueryFailedError } from 'typeorm';

/**
 * Several writes sent as ONE statement: each insert or update a data-modifying CTE, each NOTIFY a call in the
 * final SELECT. One round trip instead of one per row, and a single statement is atomic on its own, so a write
 * made only of it needs no BEGIN/COMMIT either. PostgreSQL runs every part on one snapshot: a part never sees
 * the rows another part writes (an audit row's project is therefore passed, not looked up), but foreign keys
 * between them hold, as they are checked at the end of the statement. A name given to `insert` can be
 * selected from by later parts (`FROM <name>`) and its RETURNING columns come back from `run` as `<name>.<col>`.
 */
export class FoldedWrite {
  private readonly values: unknown[] = [];
  private readonly parts: string[] = [];
  private readonly selects: string[] = [];
  private readonly sources: string[] = [];

  /** A placeholder for `value`, with an optional cast (`uuid`, `jsonb`, …). */
  param(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }

  /**
   * Inserts an entity's row, converting each set property as TypeORM would (column names, transformers, JSON);
   * unset properties take the column default. `raw` gives SQL expressions for columns by database name.
   */
  insertEntity<T extends ObjectLiteral>(manager: EntityManager, name: string, target: EntityTarget<T>, row: Partial<T>, returning: readonly string[], raw: Record<string, string> = {}): this {
    const meta = manager.connection.getMetadata(target);
    const columns: string[] = [];
    const exprs: string[] = [];
    for (const column of meta.columns) {
      if (raw[column.databaseName] !== undefined) {
        columns.push(column.databaseName);
        exprs.push(raw[column.databaseName]);
        continue;
      }
      const value: unknown = column.getEntityValue(row);
      if (value === undefined) continue;
      columns.push(column.databaseName);
      exprs.push(this.param(manager.connection.driver.preparePersistentValue(value, column)));
    }
    return this.sql(name, `INSERT INTO "${meta.tableName}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${exprs.join(', ')}) RETURNING ${returning.join(', ')}`, returning);
  }

  /**
   * A data-modifying CTE of the caller's SQL (placeholders from `param`); with `returning`, its rows join the
   * answer: a part whose RETURNING can be empty (an UPDATE that may change nothing) is left-joined.
   */
  sql(name: string, statement: string, returning: readonly string[] = [], optional = false): this {
    this.parts.push(`${name} AS (${statement})`);
    if (returning.length > 0) {
      this.sources.push(optional ? `LEFT JOIN ${name} ON true` : `CROSS JOIN ${name}`);
      for (const column of returning) this.selects.push(`${name}.${column} AS "${name}.${column}"`);
    }
    return this;
  }

  /** A NOTIFY sent on commit; `payload` is SQL (a placeholder, or an expression over the parts' columns). */
  notify(channel: string, payload: string): this {
    this.selects.push(`pg_notify(${this.param(channel)}, ${payload})`);
    return this;
  }

  /** Sends the statement; the one answer row, keyed `<part>.<column>`. Throws when a required part wrote nothing. */
  async run(manager: EntityManager): Promise<Record<string, unknown>> {
    const from = ['(SELECT 1) AS one', ...this.sources].join(' ');
    const select = ['1 AS one', ...this.selects].join(', ');
    const rows = await prepared(manager, `WITH ${this.parts.join(',\n')}\nSELECT ${select} FROM ${from}`, this.values);
    if (rows.length !== 1) throw new Error(`a folded write returned ${rows.length} rows, not one`);
    return rows[0];
  }
}

const names = new Map<string, string>();

/** A statement's name: the same text gets the same name, in every process (a hash; texts are few and fixed). */
function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `fw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size < 1000) names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement on the manager's connection: pg parses it once per connection and
 * then only binds, so PostgreSQL skips parsing and planning these long statements on every write. TypeORM's
 * `query` cannot name one, so this does what it does around the call: the logger hears the statement (tests count
 * them) and a failure is a QueryFailedError (pg-errors reads the driver's code from it).
 */
async function prepared(manager: EntityManager, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    manager.connection.logger.logQuery(text, values, runner);
    try {
      return (await client.query<Record<string, unknown>>({ name: nameOf(text), text, values })).rows;
    } catch (error) {
      manager.connection.logger.logQueryError(error as Error, text, values, runner);
      throw new QueryFailedError(text, values, error as Error);
    }
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
