import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Role } from '../../src/domain/auth/roles';
import { createDataSource } from '../../src/persistence/data-source';
import { draftVersion, filesUrl, modelFiles, uploadAndSubmit } from '../support/files-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { ownDatabase } from '../support/own-database';

/**
 * `npm run backup -- create|restore`: the database and the artifact store of one deployment are backed up, restored
 * into a new database and a new store, and the restored service serves the same version byte for byte. Each side
 * has its own database: a backup holds every version of its database, and the run's shared one has versions
 * whose blobs live in other test files' stores.
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

function backupCli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ['-r', './test/support/ts-register.js', 'src/cli/backup.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function cliFails(args: string[], env: Record<string, string>): Promise<string> {
  try {
    await backupCli(args, env);
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    expect(failure.code).toBe(1);
    return failure.stderr;
  }
  throw new Error(`backup ${args.join(' ')} succeeded; it should have failed`);
}

async function download(t: TestApp, versionId: string, file: string): Promise<Buffer> {
  const res = await fetch(`${filesUrl(t)}/versions/${versionId}/download/${file.split('/').map(encodeURIComponent).join('/')}`, {
    headers: { authorization: `Bearer ${await t.token(Role.VIEWER)}` },
  });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

let source: TestApp;
let scratch: string;
let backupDir: string;
let versionId: string;
const files = modelFiles();

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-backup-'));
  source = await startTestApp({ worker: true, databaseUrl: await ownDatabase('backup_src', true) });
  const draft = await draftVersion(source);
  versionId = draft.versionId;
  const done = await uploadAndSubmit(source, versionId, files);
  expect(done.status).toBe('SUCCEEDED');
  backupDir = path.join(scratch, 'backup');
  const { stdout } = await backupCli(['create', backupDir], source.env);
  expect(stdout).toMatch(/backup written to .*: \d+ rows in \d+ tables, \d+ blobs \(\d+ bytes\) in 1 store\(s\)/);
}, 240_000);

afterAll(async () => {
  await source?.stop();
  await rm(scratch, { recursive: true, force: true });
});

test('a restore into a new database and store serves the version byte-identical, with its history', async () => {
  const targetDir = path.join(scratch, 'restored');
  const env = {
    DATABASE_URL: await ownDatabase('backup_dst', false),
    ARTIFACT_DIR: path.join(targetDir, 'artifacts'),
    STAGING_DIR: path.join(targetDir, 'staging'),
  };
  const { stdout } = await backupCli(['restore', backupDir], env);
  expect(stdout).toMatch(/restored \d+ rows and \d+ blobs/);

  const restored = await startTestApp({ databaseUrl: env.DATABASE_URL, env: { ARTIFACT_DIR: env.ARTIFACT_DIR, STAGING_DIR: env.STAGING_DIR } });
  try {
    const query = `query($id: ID!) { version(id: $id) { status files { path sha256 } } auditLog(first: 100) { totalCount } }`;
    const before = await source.gql(query, { id: versionId }, { as: Role.ADMIN });
    const after = await restored.gql(query, { id: versionId }, { as: Role.ADMIN });
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    expect(after.data!.version.status).toBe('VERIFIED');
    for (const [file, bytes] of files) {
      expect((await download(restored, versionId, file)).equals(bytes)).toBe(true);
    }
    // Ids continue after the restored ones: a new version and its audit rows are written without a clash.
    const next = await draftVersion(restored, '2.0.0');
    expect(next.versionId).toBeTruthy();

    // A database that already holds data is never restored over.
    expect(await cliFails(['restore', backupDir], env)).toMatch(/not empty/);
  } finally {
    await restored.stop();
  }
}, 240_000);

test('a damaged or unfinished backup is refused before anything is written', async () => {
  const env = {
    DATABASE_URL: await ownDatabase('backup_bad', false),
    ARTIFACT_DIR: path.join(scratch, 'bad', 'artifacts'),
    STAGING_DIR: path.join(scratch, 'bad', 'staging'),
  };
  const damaged = path.join(scratch, 'damaged');
  await cp(backupDir, damaged, { recursive: true });
  const table = path.join(damaged, 'db', 'model_versions.ndjson.gz');
  const bytes = await readFile(table);
  bytes[bytes.length - 5] ^= 0xff;
  await writeFile(table, bytes);
  expect(await cliFails(['restore', damaged], env)).toMatch(/model_versions\.ndjson\.gz is damaged/);

  const blobless = path.join(scratch, 'blobless');
  await cp(backupDir, blobless, { recursive: true });
  const [store] = await readdir(path.join(blobless, 'blobs'));
  const [firstBlob] = await readdir(path.join(blobless, 'blobs', store));
  await rm(path.join(blobless, 'blobs', store, firstBlob));
  expect(await cliFails(['restore', blobless], env)).toMatch(/lacks 1 blob/);

  const unfinished = path.join(scratch, 'unfinished');
  await cp(backupDir, unfinished, { recursive: true });
  await rm(path.join(unfinished, 'manifest.json'));
  expect(await cliFails(['restore', unfinished], env)).toMatch(/no manifest\.json/);

  // Nothing reached the target: no store folder, and the database was never even migrated.
  await expect(readdir(env.ARTIFACT_DIR)).rejects.toThrow();
  const ds = createDataSource({ url: env.DATABASE_URL });
  await ds.initialize();
  try {
    const [{ present }] = await ds.query<{ present: boolean }[]>(`SELECT to_regclass('models') IS NOT NULL AS present`);
    expect(present).toBe(false);
  } finally {
    await ds.destroy();
  }
  // A backup into a folder that already holds files is refused too.
  expect(await cliFails(['create', backupDir], source.env)).toMatch(/is not empty/);
}, 240_000);
