import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * A logical backup of ModelHub's PostgreSQL database that needs no pg_dump (the embedded server ships none, and a
 * client older than the server cannot dump it): every table's rows as PostgreSQL's own JSON text, one gzip'd
 * ndjson file a table, read in ONE repeatable-read snapshot so the tables agree with each other. Rows never pass
 * through JavaScript values (the JSON text goes out and comes back as text), so bigint, numeric, bytea and
 * timestamps come back exactly. Restore loads them into a freshly migrated database of the same migration set.
 */

export interface TableDump {
  table: string;
  rows: number;
  file: string;
}

export interface DatabaseDump {
  /** Migrations applied in the source, oldest first: a restore needs exactly these. */
  migrations: string[];
  tables: TableDump[];
}

export class BackupError extends Error {}

const FETCH_ROWS = 1000;
const INSERT_ROWS = 500;

/** Rows of a query (QueryRunner.query is untyped). */
async function select<T>(runner: QueryRunner, sql: string, params?: unknown[]): Promise<T[]> {
  return (await runner.query(sql, params)) as T[];
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function migrationsTable(dataSource: DataSource): string {
  return dataSource.options.migrationsTableName ?? 'migrations';
}

async function tablesOf(runner: QueryRunner, skip: string): Promise<string[]> {
  const rows = await select<{ name: string }>(
    runner,
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> $1 ORDER BY tablename`,
    [skip],
  );
  return rows.map((row) => row.name);
}

interface ForeignKey {
  table: string;
  name: string;
  definition: string;
}

/** The schema's foreign keys as their own DDL (models and versions reference each other: no load order exists). */
async function foreignKeys(runner: QueryRunner): Promise<ForeignKey[]> {
  return select<ForeignKey>(
    runner,
    `SELECT cl.relname AS table, c.conname AS name, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY cl.relname, c.conname`,
  );
}

async function appliedMigrations(runner: QueryRunner, table: string): Promise<string[]> {
  const rows = await select<{ name: string }>(runner, `SELECT name FROM ${ident(table)} ORDER BY timestamp, id`);
  return rows.map((row) => row.name);
}

/** Writes every table of the database into `dir` (created), from one consistent snapshot. */
export async function dumpDatabase(dataSource: DataSource, dir: string): Promise<DatabaseDump> {
  await mkdir(dir, { recursive: true });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const skip = migrationsTable(dataSource);
    const migrations = await appliedMigrations(runner, skip);
    const tables: TableDump[] = [];
    for (const table of await tablesOf(runner, skip)) {
      const file = `${table}.ndjson.gz`;
      const out = new PassThrough();
      const written = pipeline(out, createGzip(), createWriteStream(path.join(dir, file)));
      let rows = 0;
      await runner.query(`DECLARE dump_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${ident(table)} t`);
      for (;;) {
        const batch = await select<{ row: string }>(runner, `FETCH ${FETCH_ROWS} FROM dump_rows`);
        for (const { row } of batch) {
          if (!out.write(`${row}\n`)) await new Promise((resolve) => out.once('drain', resolve));
        }
        rows += batch.length;
        if (batch.length < FETCH_ROWS) break;
      }
      await runner.query('CLOSE dump_rows');
      out.end();
      await written;
      tables.push({ table, rows, file });
    }
    await runner.query('COMMIT');
    return { migrations, tables };
  } catch (error) {
    await runner.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

async function insertBatch(runner: QueryRunner, table: string, columns: string, lines: string[]): Promise<void> {
  await runner.query(
    `INSERT INTO ${ident(table)} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`,
    [`[${lines.join(',')}]`],
  );
}

/**
 * Loads a dump into a database migrated to the same migrations, in one transaction: either every row is back or
 * none is. Needs the rights migrations need (the tables' owner), no superuser. Refuses a database that already holds models or audit history (restore into a new, empty one).
 */
export async function restoreDatabase(dataSource: DataSource, dir: string, dump: DatabaseDump): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const skip = migrationsTable(dataSource);
    const here = await appliedMigrations(runner, skip);
    if (here.join('\n') !== dump.migrations.join('\n')) {
      const missing = dump.migrations.filter((name) => !here.includes(name));
      const extra = here.filter((name) => !dump.migrations.includes(name));
      throw new BackupError(
        `the backup was taken at another schema version: restore it with the ModelHub release that made it` +
          (missing.length ? ` (this database lacks ${missing.join(', ')})` : '') +
          (extra.length ? ` (this database has ${extra.join(', ')} that the backup has not)` : ''),
      );
    }
    const [{ models, audit }] = await select<{ models: number; audit: number }>(
    runner,
      `SELECT (SELECT count(*) FROM models)::int AS models, (SELECT count(*) FROM audit_log)::int AS audit`,
    );
    if (models > 0 || audit > 0) {
      throw new BackupError(`the target database is not empty (${models} models, ${audit} audit rows): restore into a new database`);
    }
    const order = await tablesOf(runner, skip);
    const known = new Set(order);
    for (const { table } of dump.tables) {
      if (!known.has(table)) throw new BackupError(`the backup has a table this schema has not: ${table}`);
    }
    await runner.query('BEGIN');
    // Foreign keys are dropped for the load and added back before commit, which checks every row against them;
    // DDL is transactional, so a failure leaves the schema as it was.
    const keys = await foreignKeys(runner);
    for (const key of keys) await runner.query(`ALTER TABLE ${ident(key.table)} DROP CONSTRAINT ${ident(key.name)}`);
    // Rows the migrations seeded (the licence catalogue) come back from the backup as they were there.
    const seeded = order.filter((table) => table !== 'audit_log');
    await runner.query(`TRUNCATE ${seeded.map(ident).join(', ')}`);
    const byTable = new Map(dump.tables.map((entry) => [entry.table, entry]));
    for (const table of order) {
      const entry = byTable.get(table);
      if (!entry || entry.rows === 0) continue;
      const columns = (
        await select<{ name: string }>(
    runner,
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [ident(table)],
        )
      )
        .map((row) => ident(row.name))
        .join(', ');
      const lines = createInterface({ input: createReadStream(path.join(dir, entry.file)).pipe(createGunzip()), crlfDelay: Infinity });
      let batch: string[] = [];
      let rows = 0;
      for await (const line of lines) {
        if (line === '') continue;
        batch.push(line);
        if (batch.length === INSERT_ROWS) {
          await insertBatch(runner, table, columns, batch);
          rows += batch.length;
          batch = [];
        }
      }
      if (batch.length) await insertBatch(runner, table, columns, batch);
      rows += batch.length;
      if (rows !== entry.rows) throw new BackupError(`${entry.file} holds ${rows} rows, the manifest says ${entry.rows}: the backup is cut`);
    }
    for (const key of keys) await runner.query(`ALTER TABLE ${ident(key.table)} ADD CONSTRAINT ${ident(key.name)} ${key.definition}`);
    // Sequences and identities continue after the restored ids.
    const sequences = await select<{ table: string; column: string; sequence: string }>(
    runner,
      `SELECT c.relname AS table, a.attname AS column, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS sequence
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
    );
    for (const { table, column, sequence } of sequences) {
      if (table === skip) continue;
      await runner.query(
        `SELECT setval($1, COALESCE((SELECT max(${ident(column)}) FROM ${ident(table)}), 0) + 1, false)`,
        [sequence],
      );
    }
    await runner.query('COMMIT');
  } catch (error) {
    await runner.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
