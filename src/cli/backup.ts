import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { BackupError, dumpDatabase, restoreDatabase, type DatabaseDump } from '../persistence/database-backup';
import { openDatabase } from '../persistence/database';
import type { StoreRecord } from '../domain/storage/store';
import { createSecretSealer } from '../net/sealed-secret';
import { recordOf, StoreRegistry } from '../services/store-registry';
import { createArtifactStore } from '../storage/create-artifact-store';
import { backedUpBlobs, backupBlobs, restoreBlobs, type BlobsCopied } from '../storage/store-backup';
import type { Config } from '../config/config';
import type { DataSource } from 'typeorm';

/**
 * `npm run backup -- create <dir>` and `npm run backup -- restore <dir>`: PostgreSQL (a logical dump that needs no
 * pg_dump) plus every blob of the artifact store, with a manifest written last: a folder without manifest.json is
 * a backup that did not finish. README, "Backups".
 */

const FORMAT = 'modelhub-backup/1';

interface Manifest {
  format: string;
  createdAt: string;
  database: DatabaseDump & { tables: (DatabaseDump['tables'][number] & { sha256: string })[] };
  /** Per store (artifact_stores.id): its blobs are under blobs/<store id>/. */
  blobs: { store: string; name: string; count: number; bytes: number }[];
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function* dumpedRows<T>(dir: string, table: string): AsyncIterable<T> {
  const file = path.join(dir, `${table}.ndjson.gz`);
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as T;
}

/** `<store id>/<sha256>` of every file the backed-up versions list, read from the dump itself. */
async function referencedBlobs(dir: string): Promise<Set<string>> {
  const storeOf = new Map<string, string>();
  for await (const row of dumpedRows<{ id: string; store_id: string }>(dir, 'model_versions')) storeOf.set(row.id, row.store_id);
  const blobs = new Set<string>();
  for await (const row of dumpedRows<{ version_id: string; sha256: string }>(dir, 'version_files')) blobs.add(`${storeOf.get(row.version_id)}/${row.sha256}`);
  return blobs;
}

async function presentBlobs(dir: string, stores: readonly string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (const store of stores) for (const sha of await backedUpBlobs(path.join(dir, store))) present.add(`${store}/${sha}`);
  return present;
}

/** Every store the backed-up registry names, opened from its row as the service would (credentials unsealed). */
async function storesOf(config: Config, dataSource: DataSource, dumpDir: string) {
  const registry = new StoreRegistry(
    dataSource,
    createArtifactStore(config.artifacts),
    config.urlImports.secretsKey ? createSecretSealer(config.urlImports.secretsKey) : null,
  );
  const stores = [];
  for await (const row of dumpedRows<Parameters<typeof recordOf>[0]>(dumpDir, 'artifact_stores')) {
    const record: StoreRecord = recordOf({ ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) });
    stores.push(registry.open(record));
  }
  return stores;
}

async function create(target: string): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'backup');
  if ((await readdir(target).catch(() => [])).length > 0) throw new BackupError(`${target} is not empty: back up into a new folder`);
  await mkdir(target, { recursive: true });
  const started = Date.now();
  const database = await openDatabase(config, log, undefined, 'skip');
  try {
    // The database first: every blob its snapshot references is immutable and outlives it by the GC grace period.
    const dump = await dumpDatabase(database.dataSource, path.join(target, 'db'));
    // Every store the registry holds (the environment's default and the named S3 and filesystem stores).
    const blobs: Manifest['blobs'] = [];
    for (const store of await storesOf(config, database.dataSource, path.join(target, 'db'))) {
      const copied: BlobsCopied = await backupBlobs(store.store, path.join(target, 'blobs', store.id));
      blobs.push({ store: store.id, name: store.name, count: copied.blobs, bytes: copied.bytes });
    }
    const present = await presentBlobs(path.join(target, 'blobs'), blobs.map((entry) => entry.store));
    const missing = [...(await referencedBlobs(path.join(target, 'db')))].filter((blob) => !present.has(blob));
    if (missing.length) throw new BackupError(`the stores lack ${missing.length} blob(s) versions list (first: ${missing[0]}); the backup is incomplete`);
    const tables = await Promise.all(dump.tables.map(async (table) => ({ ...table, sha256: await fileSha256(path.join(target, 'db', table.file)) })));
    const manifest: Manifest = {
      format: FORMAT,
      createdAt: new Date().toISOString(),
      database: { migrations: dump.migrations, tables },
      blobs,
    };
    await writeFile(path.join(target, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const rows = tables.reduce((sum, table) => sum + table.rows, 0);
    const count = blobs.reduce((sum, entry) => sum + entry.count, 0);
    const bytes = blobs.reduce((sum, entry) => sum + entry.bytes, 0);
    console.log(`backup written to ${target}: ${rows} rows in ${tables.length} tables, ${count} blobs (${bytes} bytes) in ${blobs.length} store(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database.close();
  }
}

async function restore(source: string): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'restore');
  const raw = await readFile(path.join(source, 'manifest.json'), 'utf8').catch(() => {
    throw new BackupError(`${source} has no manifest.json: not a backup, or one that did not finish`);
  });
  const manifest = JSON.parse(raw) as Manifest;
  if (manifest.format !== FORMAT) throw new BackupError(`${source} is a "${manifest.format}" backup; this release reads ${FORMAT}`);
  // Everything is checked before anything is written.
  for (const table of manifest.database.tables) {
    const actual = await fileSha256(path.join(source, 'db', table.file)).catch(() => 'missing');
    if (actual !== table.sha256) throw new BackupError(`db/${table.file} is ${actual === 'missing' ? 'missing' : 'damaged (sha256 differs from the manifest)'}`);
  }
  const present = await presentBlobs(path.join(source, 'blobs'), manifest.blobs.map((entry) => entry.store));
  const missing = [...(await referencedBlobs(path.join(source, 'db')))].filter((blob) => !present.has(blob));
  if (missing.length) throw new BackupError(`the backup lacks ${missing.length} blob(s) its versions list (first: ${missing[0]})`);
  const started = Date.now();
  const database = await openDatabase({ ...config, database: { ...config.database, migrateOnStart: true } }, log);
  try {
    // Blobs first: the rows that reference them commit last, in one transaction, or not at all.
    // Each store as the backed-up registry describes it: the default one is this environment's (ARTIFACT_*).
    let count = 0;
    let bytes = 0;
    for (const store of await storesOf(config, database.dataSource, path.join(source, 'db'))) {
      const copied = await restoreBlobs(store.store, path.join(source, 'blobs', store.id), config.artifacts.stagingDir);
      count += copied.blobs;
      bytes += copied.bytes;
    }
    await restoreDatabase(database.dataSource, path.join(source, 'db'), manifest.database);
    const rows = manifest.database.tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`restored ${rows} rows and ${count} blobs (${bytes} bytes) from ${source} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const [command, dir] = process.argv.slice(2);
  if ((command !== 'create' && command !== 'restore') || !dir) {
    throw new BackupError('usage: npm run backup -- create <new folder> | npm run backup -- restore <backup folder>');
  }
  await (command === 'create' ? create(path.resolve(dir)) : restore(path.resolve(dir)));
}

main().catch((error: unknown) => {
  console.error(error instanceof BackupError ? `backup: ${error.message}` : error);
  process.exit(1);
});
