import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import pg from 'pg';
import { loadConfig } from '../src/config/config';
import { systemCaller } from '../src/domain/auth/caller';
import { Role } from '../src/domain/auth/roles';
import { serveSubgraph } from '../src/http/serve';
import { ensureDatabase } from '../src/persistence/embedded-postgres';
import { openRuntime } from '../src/runtime';
import { issueToken } from '../src/services/auth-tokens';
import { DiskSource } from '../src/storage/sources/disk-source';

/** The benchmark reads as the system: it measures the service, not a caller's scope. */
const BENCH = systemCaller('benchmark');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

async function writeFile(file: string, bytes: number): Promise<void> {
  const block = Buffer.alloc(8 * MiB);
  let state = 0x9e3779b9;
  const out = createWriteStream(file);
  for (let written = 0; written < bytes; written += block.length) {
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((state = (state * 1664525 + 1013904223) >>> 0), i);
    if (!out.write(written + block.length > bytes ? block.subarray(0, bytes - written) : block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** Seconds to drain a stream, discarding its bytes; checks the count. */
async function drain(source: NodeJS.ReadableStream, expected: number): Promise<number> {
  let n = 0;
  const t0 = process.hrtime.bigint();
  await pipeline(source, new Writable({ write: (chunk: Buffer, _e, done) => ((n += chunk.length), done()) }));
  if (n !== expected) throw new Error(`read ${n} bytes, expected ${expected}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function request(url: string, method: string, headers: Record<string, string>, body?: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, resolve).on('error', reject);
    if (body) createReadStream(body).pipe(req);
    else req.end();
  });
}

const execFileP = promisify(execFile);

/** Seconds curl takes to download `url` to /dev/null (checking the byte count). */
async function curl(url: string, token: string, expected: number, range?: string): Promise<number> {
  const args = ['-sS', '--fail', '-o', '/dev/null', '-w', '%{time_total} %{size_download}', '-H', `authorization: Bearer ${token}`, ...(range ? ['-H', `range: ${range}`] : []), url];
  const [seconds, bytes] = (await execFileP('curl', args)).stdout.trim().split(' ').map(Number);
  if (bytes !== expected) throw new Error(`curl read ${bytes} bytes, expected ${expected}`);
  return seconds;
}

const rssMiB = () => process.resourceUsage().maxRSS / 1024;

/**
 * Download throughput through the API (/files and the hub API's resolve) against reading the same blob from the
 * store directly (target ≥ 0.8×), upload throughput (one PUT: hash + store) against the import path's staging
 * of the same file (DISK source → staging → hash → store), and the process's peak RSS after each step. Needs
 * DATABASE_URL (a server it may create a database on) and TEMPORAL_ADDRESS, as the shared dev services give.
 */
async function main(): Promise<void> {
  const size = Number(process.env.BENCH_SIZE_GIB ?? '2') * GiB;
  const dir = path.resolve(__dirname, '../../.data/bench-download');
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'imports'), { recursive: true });
  const file = path.join(dir, 'imports', 'model.bin');
  process.stdout.write(`generating ${(size / GiB).toFixed(1)} GiB…\n`);
  await writeFile(file, size);
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error('DATABASE_URL must name a PostgreSQL server the bench may create a database on');
  const database = `modelhub_bench_${Date.now()}`;
  await ensureDatabase(admin, database);
  const url = new URL(admin);
  url.pathname = `/${database}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    ARTIFACT_DIR: path.join(dir, 'artifacts'),
    STAGING_DIR: path.join(dir, 'staging'),
    DISK_IMPORT_ROOTS: path.join(dir, 'imports'),
    PORT: '0',
  });
  const log = pino({ level: 'warn' });
  const runtime = await openRuntime(config, log);
  const app = await serveSubgraph(runtime, log, 0);
  const base = `http://127.0.0.1:${app.port}`;
  const token = await issueToken(config.auth, 'bench', [Role.EDITOR]);
  const auth = { authorization: `Bearer ${token}` };
  const gql = async (query: string) => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return ((await res.json()) as { data: Record<string, { id: string }> }).data;
  };
  const rows: [string, string][] = [];
  const mibps = (seconds: number) => size / seconds / MiB;
  try {
    const model = (await gql(`mutation { registerModel(input: { name: "bench-${Date.now()}", sourceType: CUSTOM }) { id } }`)).registerModel;
    const version = (await gql(`mutation { createVersion(input: { modelId: "${model.id}", version: "1.0.0" }) { id } }`)).createVersion;
    await drain(createReadStream(file), size); // warm the page cache for both writers alike

    let t0 = process.hrtime.bigint();
    const put = await request(`${base}/files/versions/${version.id}/upload/model.bin`, 'PUT', { ...auth, 'content-length': String(size) }, file);
    const stored = JSON.parse(await new Promise<string>((r) => { let b = ''; put.on('data', (c: Buffer) => (b += c.toString())).on('end', () => r(b)); })) as { sha256: string };
    const uploadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push(['upload (PUT: stream, hash, store)', `${uploadSeconds.toFixed(2)} s, ${mibps(uploadSeconds).toFixed(0)} MiB/s; peak RSS ${rssMiB().toFixed(0)} MiB`]);

    await drain(createReadStream(file), size);
    t0 = process.hrtime.bigint();
    await runtime.services.ingestion.stageSourceFile('bench', new DiskSource(path.join(dir, 'imports'), [path.join(dir, 'imports')]), { path: 'model.bin', size, sha256: null, gitBlobId: null });
    const importSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push(['import path (stage, hash, store)', `${importSeconds.toFixed(2)} s, ${mibps(importSeconds).toFixed(0)} MiB/s; upload/import ${(importSeconds / uploadSeconds).toFixed(2)}x`]);

    const store = runtime.services.downloads;
    const { entry } = await store.file(BENCH, version.id, 'model.bin', 'editors');
    await drain(await store.open(version, entry, null), size); // warm
    const direct = await drain(await store.open(version, entry, null), size);
    rows.push(['store read (verifying, direct)', `${direct.toFixed(2)} s, ${mibps(direct).toFixed(0)} MiB/s`]);
    // The client is another process (curl), as a serving engine is: in this one it would share the API's event loop.
    const viaApi = await curl(`${base}/files/versions/${version.id}/download/model.bin`, token, size);
    const ratio = direct / viaApi;
    rows.push(['download through /files', `${viaApi.toFixed(2)} s, ${mibps(viaApi).toFixed(0)} MiB/s; ${ratio.toFixed(2)}x of direct (target >= 0.8x) ${ratio >= 0.8 ? 'PASS' : 'FAIL'}`]);
    const resumed = await curl(`${base}/files/versions/${version.id}/download/model.bin`, token, size / 2, `bytes=${size / 2}-`);
    rows.push(['resumed half (Range: bytes=N-)', `${resumed.toFixed(2)} s, ${(size / 2 / resumed / MiB).toFixed(0)} MiB/s (unverified ranged read)`]);
    rows.push(['peak RSS of the process (API + client)', `${rssMiB().toFixed(0)} MiB after moving ${((4 * size) / GiB).toFixed(0)} GiB`]);
    if (stored.sha256 !== entry.sha256) throw new Error('stored digest differs');
  } finally {
    await app.stop();
    await runtime.close();
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database}`);
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${'file'.padEnd(41)}${(size / GiB).toFixed(1)} GiB of pseudo-random bytes\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(41)}${v}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
