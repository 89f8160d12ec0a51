import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { Role } from '../../src/domain/auth/roles';
import { issueToken } from '../../src/services/auth-tokens';
import { freePort } from '../support/free-port';
import { EXAMPLE_SCRIPT, expectedScript, marker, README, REGENERATE, walkthroughOf, type Walkthrough } from '../support/walkthrough-script';

/**
 * README.md "First 10 minutes", run as a newcomer would: the README's own server command (`npm run dev` with the
 * walkthrough's settings, so the build and dev entry point are the real ones), then examples/first-10-minutes.sh,
 * which is checked to be exactly the README's ```sh walkthrough blocks, in one bash session with `set -euo pipefail`.
 *
 * The dev server is pointed at this run's PostgreSQL database and Temporal server (DATABASE_URL, TEMPORAL_ADDRESS, its
 * own task queue) instead of starting an embedded PostgreSQL and a Temporal dev server of its own: those two starts
 * are covered by their own tests, and a third Temporal server on a shared 2-core machine costs a minute of CPU for
 * nothing the walkthrough checks. Everything else is `npm run dev`'s defaults, ClamAV included: it starts its own
 * clamd, which offline knows only EICAR, so scans say SKIPPED and the walkthrough must get past that the way the README
 * says. Its files go to a temporary folder.
 */
const ROOT = path.resolve(__dirname, '../..');
const SERVER_START_MS = 240_000;
const WALKTHROUGH_MS = 480_000;

let dir: string;
let walkthrough: Walkthrough;
let server: Server | null = null;

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run this through jest, whose global setup starts the services`);
  return value;
}

/** The README's server line, run by bash from the clone, as its own process group (npm → sh → node). */
async function startServer(): Promise<Server> {
  const port = await freePort();
  const data = path.join(dir, 'server');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    DATABASE_URL: required('TEST_DATABASE_URL'),
    TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_TASK_QUEUE: `modelhub-walkthrough-${randomBytes(4).toString('hex')}`,
    // Not the clone's .data: a developer's own `npm run dev` keeps its artifacts (its clamd folder, .data/clamav, is
    // shared on purpose: a signature download there is reused, as `npm run dev` reuses it).
    ARTIFACT_DIR: path.join(data, 'artifacts'),
    STAGING_DIR: path.join(data, 'staging'),
    CACHE_DIR: path.join(data, 'cache'),
    EVAL_HUB_CACHE_DIR: path.join(data, 'hub-datasets'),
    LOG_FORMAT: 'json',
  };
  const child = spawn('bash', ['-c', walkthrough.server], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const started = { child, url: `http://127.0.0.1:${port}`, output: () => text };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`\`${walkthrough.server}\` did not print its banner in ${SERVER_START_MS} ms:\n${text.slice(-4000)}`)), SERVER_START_MS);
    const poll = setInterval(() => {
      if (!text.includes('ModelHub is running')) return;
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    }, 200);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`\`${walkthrough.server}\` exited with ${code}:\n${text.slice(-4000)}`));
    });
  });
  return started;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ctrl-C's SIGINT to the whole group, as a terminal sends it; waits for every process of it to end. */
async function stopServer(s: Server): Promise<void> {
  const pgid = s.child.pid!;
  if (!groupAlive(pgid)) return;
  process.kill(-pgid, 'SIGINT');
  const deadline = Date.now() + 45_000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
}

interface BlockRun {
  index: number;
  ms: number;
  output: string;
}

interface ScriptRun {
  code: number | null;
  blocks: BlockRun[];
  output: string;
}

/**
 * Runs the example script with stdout and stderr on one pipe, timing each block from its marker line to the next.
 * A run over the time limit is killed (its process group) and reported like a failed block.
 */
async function runScript(env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  const total = walkthrough.blocks.length;
  const markers = walkthrough.blocks.map((_, i) => marker(i, total));
  const child = spawn('bash', ['-c', 'exec bash "$0" 2>&1', EXAMPLE_SCRIPT], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  const seen: { index: number; at: number; offset: number }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (let i = seen.length; i < total; i++) {
      const offset = text.indexOf(`${markers[i]}\n`);
      if (offset < 0) break;
      seen.push({ index: i, at: Date.now(), offset: offset + markers[i].length + 1 });
    }
  });
  const timer = setTimeout(() => groupAlive(child.pid!) && process.kill(-child.pid!, 'SIGKILL'), WALKTHROUGH_MS);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  const end = Date.now();
  const blocks = seen.map((s, i) => {
    const next = seen[i + 1];
    return { index: s.index, ms: (next?.at ?? end) - s.at, output: text.slice(s.offset, next ? next.offset - markers[next.index].length - 1 : undefined) };
  });
  return { code, blocks, output: text };
}

function failure(run: ScriptRun): string {
  const last = run.blocks.at(-1);
  if (!last) return `examples/first-10-minutes.sh failed (exit ${run.code}) before its first block:\n${run.output}`;
  const why = run.code === null ? `was killed after ${WALKTHROUGH_MS / 1000} s` : `failed with exit code ${run.code}`;
  return (
    `README walkthrough block ${last.index + 1} of ${walkthrough.blocks.length} ${why}.\n` +
    `--- the block ---\n${walkthrough.blocks[last.index]}\n--- its output ---\n${last.output.slice(-6000)}`
  );
}

/** Every file under `root`, relative path → bytes (a hub snapshot's files are symlinks into its blobs: followed). */
async function filesUnder(root: string, prefix = ''): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) for (const [k, v] of await filesUnder(root, relative)) files.set(k, v);
    else files.set(relative, await readFile(path.join(root, relative)));
  }
  return files;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-walkthrough-'));
  walkthrough = walkthroughOf(await readFile(README, 'utf8'));
});
afterAll(async () => {
  if (server) await stopServer(server);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

test('examples/first-10-minutes.sh is the README walkthrough, block for block', async () => {
  const script = await readFile(EXAMPLE_SCRIPT, 'utf8');
  if (script !== expectedScript()) throw new Error(`examples/first-10-minutes.sh differs from README.md's walkthrough blocks: regenerate it with\n  ${REGENERATE}`);
  expect(walkthrough.blocks.length).toBeGreaterThanOrEqual(6);
});

test('the walkthrough runs against `npm run dev` and pulls the published version byte-identical with huggingface_hub', async () => {
  server = await startServer();
  const work = path.join(dir, 'work');
  const home = path.join(dir, 'home');
  await Promise.all([mkdir(work), mkdir(home)]);
  const run = await runScript({
    PATH: `${path.join(ROOT, '.venv-hf/bin')}:${process.env.PATH}`,
    HOME: home, // the CLI's upload state and the hub client's cache stay in the test's folder
    TMPDIR: work, // where the walkthrough's `mktemp -d` scratch folder lands
    MODELHUB_URL: server.url,
    HF_HUB_DISABLE_TELEMETRY: '1',
    STAND_IN_IDLE_EXIT_S: '120', // a stand-in left by a failed run ends by itself
  });
  const times = run.blocks.map((b) => `block ${b.index + 1}: ${(b.ms / 1000).toFixed(1)} s`).join(', ');
  const totalSeconds = run.blocks.reduce((n, b) => n + b.ms, 0) / 1000;
  console.log(`README walkthrough: ${totalSeconds.toFixed(1)} s (${times})`);
  if (run.code !== 0) throw new Error(`${failure(run)}\n--- dev server output (last lines) ---\n${server.output().slice(-3000)}`);
  expect(run.blocks.map((b) => b.index)).toEqual(walkthrough.blocks.map((_, i) => i));
  // What the newcomer reads on the way: the stand-in's honest score (9 of 10: it cannot name a capital), the
  // evidence counted, and the approval's answer showing the gates it was decided on (all passed).
  expect(run.output).toContain('arithmetic exact_match 0.900 (n=10)');
  expect(run.output).toMatch(/EVALUATION_EVIDENCE +│ yes +│ 1 evaluation, 0 benchmarks \(MEASURED\)/);
  expect(run.output).toMatch(/gate \(at the decision\)[\s\S]*APPROVALS +│ yes +│ 1 of 1 approvals/);

  // What the walkthrough uploaded (its scratch folder under TMPDIR) against what snapshot_download wrote.
  const snapshot = /^byte-identical: (.+)$/m.exec(run.output)?.[1];
  expect(snapshot).toBeDefined();
  const [scratch] = (await readdir(work)).filter((name) => name.startsWith('tmp.'));
  const uploaded = await filesUnder(path.join(work, scratch, 'tiny-model'));
  const pulled = await filesUnder(snapshot!);
  // Published versions carry the registry's signature beside the files (README, "Signed versions").
  expect([...pulled.keys()].sort()).toEqual(['README.md', 'config.json', 'model.safetensors', 'model.sig']);
  expect([...pulled.keys()].filter((name) => name !== 'model.sig').sort()).toEqual([...uploaded.keys()].sort());
  for (const [name, bytes] of uploaded) expect(pulled.get(name)!.equals(bytes)).toBe(true);
  expect(uploaded.get('model.safetensors')!.length).toBeGreaterThan(200_000);

  // And what the registry says now, read as a viewer: published, behind the protected alias, with measured evidence.
  const token = await issueToken(loadConfig({}).auth, 'walkthrough-check', [Role.VIEWER]);
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ versionByAlias(model: "first-model", alias: "production") { version status model { project license { id } evaluations { benchmark provenance } } } }' }),
  });
  expect(await response.json()).toEqual({
    data: {
      versionByAlias: { version: '1.0.0', status: 'PUBLISHED', model: { project: 'demo', license: { id: 'Apache-2.0' }, evaluations: [{ benchmark: 'arithmetic', provenance: 'MEASURED' }] } },
    },
  });
}, SERVER_START_MS + WALKTHROUGH_MS + 30_000);
