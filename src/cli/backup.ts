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
import { createArtifactStore } from '../storage/create-artifact-store';
import { backedUpBlobs, backupBlobs, restoreBlobs } from '../storage/store-backup';

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
  blobs: { count: number; bytes: number; store: string };
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Digests the backed-up versions list (version_files.sha256), read from the dump itself. */
async function referencedDigests(dir: string, file: string | undefined): Promise<Set<string>> {
  const digests = new Set<string>();
  if (!file) return digests;
  const lines = createInterface({ input: createReadStream(path.join(dir, file)).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line) digests.add((JSON.parse(line) as { sha256: string }).sha256);
  }
  return digests;
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
    const store = createArtifactStore(config.artifacts);
    const blobs = await backupBlobs(store, path.join(target, 'blobs'));
    const present = await backedUpBlobs(path.join(target, 'blobs'));
    const files = dump.tables.find((table) => table.table === 'version_files')?.file;
    const missing = [...(await referencedDigests(path.join(target, 'db'), files))].filter((sha) => !present.has(sha));
    if (missing.length) throw new BackupError(`the store lacks ${missing.length} blob(s) versions list (first: ${missing[0]}); the backup is incomplete`);
    const tables = await Promise.all(dump.tables.map(async (table) => ({ ...table, sha256: await fileSha256(path.join(target, 'db', table.file)) })));
    const manifest: Manifest = {
      format: FORMAT,
      createdAt: new Date().toISOString(),
      database: { migrations: dump.migrations, tables },
      blobs: { count: blobs.blobs, bytes: blobs.bytes, store: store.kind },
    };
    await writeFile(path.join(target, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const rows = tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`backup written to ${target}: ${rows} rows in ${tables.length} tables, ${blobs.blobs} blobs (${blobs.bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
  const present = await backedUpBlobs(path.join(source, 'blobs'));
  const files = manifest.database.tables.find((table) => table.table === 'version_files')?.file;
  const missing = [...(await referencedDigests(path.join(source, 'db'), files))].filter((sha) => !present.has(sha));
  if (missing.length) throw new BackupError(`the backup lacks ${missing.length} blob(s) its versions list (first: ${missing[0]})`);
  const started = Date.now();
  const database = await openDatabase({ ...config, database: { ...config.database, migrateOnStart: true } }, log);
  try {
    // Blobs first: the rows that reference them commit last, in one transaction, or not at all.
    const blobs = await restoreBlobs(createArtifactStore(config.artifacts), path.join(source, 'blobs'), config.artifacts.stagingDir);
    await restoreDatabase(database.dataSource, path.join(source, 'db'), manifest.database);
    const rows = manifest.database.tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`restored ${rows} rows and ${blobs.blobs} blobs (${blobs.bytes} bytes) from ${source} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
