import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config';
import { systemCaller } from '../src/domain/auth/caller';
import { SourceType } from '../src/domain/catalog/catalog-enums';
import type { ImportSource } from '../src/domain/onboarding/import-source';
import { IngestionService } from '../src/services/ingestion.service';
import { fixedStore } from '../src/services/store-registry';
import { createServices, type Services } from '../src/services/services';
import type { WorkflowGateway } from '../src/services/workflow-gateway';
import { FsArtifactStore } from '../src/storage/fs-artifact-store';
import { startHubServer, type HubServer } from '../test/fixtures/hub-server';
import { type BenchDatabase, openBenchDatabase } from './bench-database';

/**
 * Parallel downloads over a per-connection bandwidth cap (as a CDN caps each stream): the real ingestion path
 * (IngestionService.listFiles + stageAll against PostgreSQL and the filesystem store) reading a repository of
 * equal LFS files from the local hub-protocol server, at IMPORT_CONCURRENCY 1, 4 and 8.
 */
const MiB = 1024 * 1024;
const FILES = Number(process.env.BENCH_FILES ?? '8');
const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? '8');
const CAP_MIB_PER_S = Number(process.env.BENCH_CAP_MIBPS ?? '4');
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,4,8').split(',').map(Number);

// Nothing runs a workflow here: the bench drives the worker's side directly.
const noWorkflows: WorkflowGateway = {
  startImport: async () => 'started',
  startLocalCache: async () => 'started',
  startScan: async () => 'started',
  startBenchmark: async () => 'started',
  startEvaluation: async () => 'started',
  startWebhookDelivery: async () => 'started',
  evictCache: async () => undefined,
  refreshReportedScores: async () => ({ checked: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0, failures: [] }),
  cancel: async () => 'not-running',
  describe: async () => 'not-found',
  startStoreMove: async () => 'started',
  healthy: async () => true,
};

/** Distinct pseudo-random files (`.bin`: LFS, verified by sha256), so no two share a blob in the store. */
function repoFiles(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < FILES; i += 1) {
    const data = Buffer.alloc(FILE_MIB * MiB);
    let state = 0x9e3779b9 ^ (i + 1);
    for (let at = 0; at < data.length; at += 4) {
      state = (state * 1664525 + 1013904223) >>> 0;
      data.writeUInt32LE(state, at);
    }
    files[`weights/shard-${String(i + 1).padStart(2, '0')}.bin`] = data;
  }
  return files;
}

interface Run {
  concurrency: number;
  listSeconds: number;
  stageSeconds: number;
  bytes: number;
}

async function importOnce(services: Services, hub: HubServer, repoId: string, concurrency: number, expected: Map<string, string>): Promise<Run> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-bench-parallel-'));
  try {
    const config = loadConfig({
      HF_ENDPOINT: hub.url,
      IMPORT_CONCURRENCY: String(concurrency),
      ARTIFACT_DIR: path.join(dir, 'artifacts'),
      STAGING_DIR: path.join(dir, 'staging'),
    });
    const ingestion = new IngestionService(config, fixedStore(new FsArtifactStore(config.artifacts.dir)), services.operations, services.listings, services.storageUsage);
    const name = `bench-parallel-${concurrency}-${randomBytes(4).toString('hex')}`;
    const operation = await services.onboarding.importModel(systemCaller('bench'), { name, source: { sourceType: SourceType.HUGGING_FACE, repoId } });
    const source: ImportSource = { type: SourceType.HUGGING_FACE, repoId, revision: 'main' };
    const t0 = process.hrtime.bigint();
    await ingestion.listFiles(operation.id, source);
    const t1 = process.hrtime.bigint();
    const staged = await ingestion.stageAll({ operationId: operation.id, versionId: operation.versionId!, source });
    const t2 = process.hrtime.bigint();
    for (const entry of await services.listings.manifest(operation.id)) {
      if (entry.sha256 !== expected.get(entry.path)) throw new Error(`${entry.path}: stored ${entry.sha256}, source ${expected.get(entry.path)}`);
    }
    return { concurrency, listSeconds: Number(t1 - t0) / 1e9, stageSeconds: Number(t2 - t1) / 1e9, bytes: staged.bytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function printTable(runs: Run[]): void {
  const base = runs.find((r) => r.concurrency === 1) ?? runs[0];
  const capMiBps = CAP_MIB_PER_S;
  const rows = [
    ['concurrency', 'seconds', 'MiB/s', 'speed-up', 'ideal', 'listing s'],
    ...runs.map((r) => {
      const ideal = Math.min(r.concurrency, FILES) / Math.min(base.concurrency, FILES);
      return [
        String(r.concurrency),
        r.stageSeconds.toFixed(2),
        (r.bytes / MiB / r.stageSeconds).toFixed(1),
        `${(base.stageSeconds / r.stageSeconds).toFixed(2)}x`,
        `${ideal.toFixed(2)}x`,
        r.listSeconds.toFixed(2),
      ];
    }),
  ];
  process.stdout.write(`${FILES} files x ${FILE_MIB} MiB, ${capMiBps} MiB/s per connection (seconds: stageAll only; ideal: min(c, files) links)\n`);
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => (i === 0 ? cell.padEnd(12) : cell.padStart(10))).join(' ')}\n`);
}

async function main(): Promise<void> {
  let database: BenchDatabase | null = null;
  const hub = await startHubServer({ bytesPerSecond: CAP_MIB_PER_S * MiB });
  try {
    database = await openBenchDatabase();
    const bootConfig = loadConfig({ HF_ENDPOINT: hub.url });
    const services = createServices(database.dataSource, { config: bootConfig, store: new FsArtifactStore(bootConfig.artifacts.dir), workflows: noWorkflows });
    const files = repoFiles();
    const repoId = `bench/parallel-${randomBytes(4).toString('hex')}`;
    hub.repos.set(repoId, { files });
    const expected = new Map(Object.entries(files).map(([p, data]) => [p, createHash('sha256').update(data).digest('hex')]));
    const runs: Run[] = [];
    for (const concurrency of LEVELS) runs.push(await importOnce(services, hub, repoId, concurrency, expected));
    printTable(runs);
  } finally {
    await database?.close();
    await hub.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
