import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { UsableDefaults1764000000110 } from '../../migrations/1764000000110-usable-defaults';

/**
 * Migration 1764000000110 on rows written before it: projects as typed become the projects checked, and a
 * default that was never usable is replaced by the newest usable version (or none), kept as the pending wish,
 * recorded as an alias move and a `default.changed` audit entry. A default taken out of service after it was
 * verified stays.
 */
const server = new URL(process.env.TEST_DATABASE_URL as string);
const database = `${server.pathname.slice(1)}_mig_${randomBytes(3).toString('hex')}`;
let db: DataSource;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: server.toString() });
  await client.connect();
  await client.query(sql);
  await client.end();
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${database}"`);
  const url = new URL(server.toString());
  url.pathname = `/${database}`;
  const before = MIGRATIONS.filter((m) => m !== UsableDefaults1764000000110);
  db = new DataSource({ type: 'postgres', url: url.toString(), migrations: before, migrationsTransactionMode: 'each' });
  await db.initialize();
  await db.runMigrations();
});

afterAll(async () => {
  await db?.destroy();
  await admin(`DROP DATABASE IF EXISTS "${database}"`);
});

async function model(name: string, project: string | null): Promise<string> {
  const [row] = await db.query(`INSERT INTO models (name, source_type, status, created_by, project) VALUES ($1, 'CUSTOM', 'DRAFT', 'old', $2) RETURNING id`, [name, project]);
  return row.id;
}

async function version(modelId: string, semver: string, status: string): Promise<string> {
  const [major, minor, patch] = semver.split('.').map(Number);
  const [row] = await db.query(
    `INSERT INTO model_versions (model_id, version, major, minor, patch, status, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'old') RETURNING id`,
    [modelId, semver, major, minor, patch, status],
  );
  return row.id;
}

test('projects are lowercased; never-usable defaults are repointed, wished for and audited; a demoted default stays', async () => {
  const mixed = await model('mig-mixed', ' Beta ');
  const none = await model('mig-none', null);
  await version(mixed, '1.0.0', 'VERIFIED');
  const newestUsable = await version(mixed, '1.1.0', 'EVALUATED');
  const draftDefault = await version(mixed, '2.0.0', 'DRAFT');
  const onlyDraft = await version(none, '1.0.0', 'DRAFT');
  const demotedModel = await model('mig-demoted', 'gamma');
  const demoted = await version(demotedModel, '1.0.0', 'NEEDS_ATTENTION');
  await db.query(`INSERT INTO lifecycle_transitions (model_id, version_id, from_status, to_status, actor) VALUES ($1, $2, 'INGESTING', 'VERIFIED', 'w')`, [demotedModel, demoted]);
  await db.query('UPDATE models SET default_version_id = $2 WHERE id = $1', [mixed, draftDefault]);
  await db.query('UPDATE models SET default_version_id = $2 WHERE id = $1', [none, onlyDraft]);
  await db.query('UPDATE models SET default_version_id = $2 WHERE id = $1', [demotedModel, demoted]);

  const runner = db.createQueryRunner();
  await runner.startTransaction();
  await new UsableDefaults1764000000110().up(runner);
  await runner.commitTransaction();
  await runner.release();

  const rows = await db.query(`SELECT name, project, default_version_id, pending_default_version_id FROM models WHERE name LIKE 'mig-%' ORDER BY name`);
  expect(rows).toEqual([
    { name: 'mig-demoted', project: 'gamma', default_version_id: demoted, pending_default_version_id: null },
    { name: 'mig-mixed', project: 'beta', default_version_id: newestUsable, pending_default_version_id: draftDefault },
    { name: 'mig-none', project: null, default_version_id: null, pending_default_version_id: onlyDraft },
  ]);
  const moves = await db.query(`SELECT model_id, alias, from_version_id, to_version_id FROM alias_moves ORDER BY model_id`);
  expect(moves).toHaveLength(2);
  expect(moves).toEqual(
    expect.arrayContaining([
      { model_id: mixed, alias: 'default', from_version_id: draftDefault, to_version_id: newestUsable },
      { model_id: none, alias: 'default', from_version_id: onlyDraft, to_version_id: null },
    ]),
  );
  const audit = await db.query(`SELECT project, model_id, action, details FROM audit_log WHERE action = 'default.changed' ORDER BY project NULLS LAST`);
  expect(audit).toEqual([
    { project: 'beta', model_id: mixed, action: 'default.changed', details: { alias: 'default', from: draftDefault, to: newestUsable } },
    { project: 'default', model_id: none, action: 'default.changed', details: { alias: 'default', from: onlyDraft, to: null } },
  ]);
});
