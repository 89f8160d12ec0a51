import { takeTurns } from '../support/exclusive';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Role } from '../../src/domain/auth/roles';
import { modelCard } from '../fixtures/model-files';
import { startTestApp, type TestApp, uniqueName } from '../support/test-app';
import { buildCli, type CliRun, runCli, startCli } from './cli-binary';

// Timing-sensitive and core-hungry test files take turns (test/support/exclusive.ts).
takeTurns('cores');

const MiB = 1024 * 1024;
const SHARD = 50 * MiB;
const SHARDS = 4;

let t: TestApp;
let cli: Awaited<ReturnType<typeof buildCli>>;
let scratch: string;
let env: Record<string, string>;

beforeAll(async () => {
  [t, cli] = await Promise.all([startTestApp({ worker: true }), buildCli()]);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'modelhub-cli-'));
  env = { MODELHUB_URL: `http://127.0.0.1:${t.app.port}`, MODELHUB_TOKEN: await t.token(Role.EDITOR, 'cli-alice'), XDG_CONFIG_HOME: path.join(scratch, 'config') };
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await cli?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A real safetensors shard of `bytes` (one F32 tensor of random values), written in 4 MiB steps. */
async function shard(file: string, name: string, bytes: number): Promise<void> {
  let json = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' }, [name]: { dtype: 'F32', shape: [bytes / 4], data_offsets: [0, bytes] } }));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const out = createWriteStream(file);
  out.write(Buffer.concat([length, json]));
  for (let written = 0; written < bytes; written += 4 * MiB) {
    if (!out.write(randomFillSync(Buffer.alloc(Math.min(4 * MiB, bytes - written))))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** What the server holds of a version's uploads: finished files by their length, unfinished ones by their part file. */
async function storedBytes(versionId: string): Promise<{ bytes: number; sessions: Map<string, number> }> {
  const rows = (await t.dataSource.query(`SELECT id, path, length, sha256 FROM upload_sessions WHERE version_id = $1`, [versionId])) as { id: string; path: string; length: string; sha256: string | null }[];
  let bytes = 0;
  const sessions = new Map<string, number>();
  for (const row of rows) {
    sessions.set(row.path, (sessions.get(row.path) ?? 0) + 1);
    bytes += row.sha256 !== null ? Number(row.length) : await stat(path.join(t.config.files.uploadDir, `${row.id}.part`)).then((s) => s.size, () => 0);
  }
  return { bytes, sessions };
}

function json(run: CliRun): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected field by field
  if (run.code !== 0) throw new Error(`modelhub exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test('upload of a 200 MiB folder stopped by Ctrl-C half-way resumes where it stopped; download returns the same bytes', async () => {
  const folder = path.join(scratch, 'model');
  await mkdir(folder, { recursive: true });
  for (let i = 1; i <= SHARDS; i++) await shard(path.join(folder, `model-0000${i}-of-0000${SHARDS}.safetensors`), `layer${i}.weight`, SHARD);
  await writeFile(path.join(folder, 'README.md'), modelCard({ license: 'apache-2.0' }));
  const name = uniqueName('cli');
  let total = 0;
  for (const file of await readdir(folder)) total += (await stat(path.join(folder, file))).size;

  // First run: stopped with SIGINT (what Ctrl-C sends) once about half of the bytes are on the server.
  const first = startCli(cli.bin, ['--json', 'upload', `${name}@1.0.0`, folder, '--parallel', '4'], env);
  let versionId: string | null = null;
  let atInterrupt = 0;
  const firstStarted = Date.now();
  let firstEnded: CliRun | null = null;
  void first.done.then((run) => (firstEnded = run));
  for (;;) {
    if (firstEnded) throw new Error(`the first upload ended before it was stopped: ${JSON.stringify(firstEnded)}`);
    if (!versionId) {
      const found = await t.gql(`query($n: String!) { modelByName(name: $n) { versions { id } } }`, { n: name });
      versionId = found.data?.modelByName?.versions?.[0]?.id ?? null;
    }
    if (versionId) atInterrupt = (await storedBytes(versionId)).bytes;
    if (atInterrupt >= total / 2) break;
    if (Date.now() - firstStarted > 120_000) throw new Error(`the first upload did not reach half way: ${atInterrupt} bytes`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  first.child.kill('SIGINT');
  const stopped = await first.done;
  const firstSeconds = (Date.now() - firstStarted) / 1000;
  expect(stopped.code).toBe(130);
  expect(stopped.stdout).toBe('');
  expect(stopped.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^modelhub: interrupted: .*run the same command again to resume \(INTERRUPTED\)$/)]);
  // The server may still be storing what the cut requests had sent when the CLI exited: read once it settled.
  let afterFirst = await storedBytes(versionId!);
  for (let settled = false; !settled; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await storedBytes(versionId!);
    settled = again.bytes === afterFirst.bytes;
    afterFirst = again;
  }
  expect(afterFirst.bytes).toBeLessThan(total);

  // Second run: the same command continues each file from the server's offset (HEAD), then submits and waits.
  const second = json(await runCli(cli.bin, ['--json', 'upload', `${name}@1.0.0`, folder, '--parallel', '4', '--wait'], env, 240_000));
  expect(second.operation).toMatchObject({ status: 'SUCCEEDED', version: { status: 'VERIFIED' } });
  expect(second.bytesTotal).toBe(total);
  expect(second.bytesSent).toBe(total - afterFirst.bytes);
  expect(second.files.filter((f: { status: string }) => f.status === 'resumed').length).toBeGreaterThan(0);
  // No file was started over: one upload session per path across both runs.
  const after = await storedBytes(versionId!);
  expect([...after.sessions.values()].every((n) => n === 1)).toBe(true);
  process.stdout.write(
    `cli upload: ${(total / MiB).toFixed(0)} MiB, the first run had stored ${(afterFirst.bytes / MiB).toFixed(1)} MiB when SIGINT ended it (${firstSeconds.toFixed(1)} s), ` +
      `second run sent ${(second.bytesSent / MiB).toFixed(1)} MiB at ${second.mibPerSecond.toFixed(0)} MiB/s\n`,
  );

  // Download the version (several files at once) and compare bytes with the originals.
  const out = path.join(scratch, 'out');
  const down = json(await runCli(cli.bin, ['--json', 'download', `${name}@1.0.0`, '-o', out, '--parallel', '4'], env, 120_000));
  expect(down.bytesReceived).toBe(total);
  for (const f of down.files as { path: string; sha256: string }[]) {
    expect(await sha256File(path.join(out, f.path))).toBe(await sha256File(path.join(folder, f.path)));
  }
  process.stdout.write(`cli download: ${(down.bytesReceived / MiB).toFixed(0)} MiB at ${down.mibPerSecond.toFixed(0)} MiB/s\n`);

  // A partial file is continued with Range: only the missing bytes travel, and the whole is checked.
  const partial = path.join(scratch, 'partial');
  const shardName = `model-00002-of-0000${SHARDS}.safetensors`;
  await mkdir(partial, { recursive: true });
  await writeFile(path.join(partial, `${shardName}.modelhub-part`), (await readFile(path.join(folder, shardName))).subarray(0, 10 * MiB));
  const resumed = json(await runCli(cli.bin, ['--json', 'download', `${name}:default`, '-o', partial, '--include', '*-00002-*'], env));
  expect(resumed.files).toEqual([expect.objectContaining({ path: shardName, status: 'resumed', resumedFrom: 10 * MiB, bytesReceived: (await stat(path.join(folder, shardName))).size - 10 * MiB })]);
  expect(await sha256File(path.join(partial, shardName))).toBe(await sha256File(path.join(folder, shardName)));
}, 480_000); // ~10 s on an idle machine; CI runs it beside the rest of the suite on 2 cores
