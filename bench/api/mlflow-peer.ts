import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort, keepTail, type ServerProcess, waitUntil } from './api-process';

const run = promisify(execFile);
/** The project-local virtualenv (git-ignored), created on first use from the configured PyPI index. */
export const MLFLOW_VENV = path.resolve(__dirname, '../../../.venv-mlflow');
const PYTHON = path.join(MLFLOW_VENV, 'bin/python');

async function installedVersion(): Promise<string | null> {
  if (!existsSync(PYTHON)) return null;
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import mlflow, psycopg2; print(mlflow.__version__)']);
    return stdout.trim();
  } catch {
    return null;
  }
}

/** MLflow 3 and the PostgreSQL driver its store URL names (`postgresql+psycopg2://`), in .venv-mlflow. */
export async function ensureMlflow(say: (line: string) => void): Promise<string> {
  const found = await installedVersion();
  if (found) return found;
  say('creating .venv-mlflow (pip install mlflow>=3,<4 psycopg2-binary; a few minutes the first time)…');
  if (!existsSync(PYTHON)) await run('python3', ['-m', 'venv', MLFLOW_VENV]);
  await run(path.join(MLFLOW_VENV, 'bin/pip'), ['install', '-q', 'mlflow>=3,<4', 'psycopg2-binary'], { maxBuffer: 16 << 20, timeout: 900_000 });
  const version = await installedVersion();
  if (!version) throw new Error('mlflow installed into .venv-mlflow but does not import');
  return version;
}

/** `mlflow server` with its store in a new database on the PostgreSQL server of `adminUrl` (dropped on stop). */
export async function startMlflow(adminUrl: string, workers: number): Promise<ServerProcess> {
  const database = `mlflow_bench_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const store = new URL(adminUrl);
  store.protocol = 'postgresql+psycopg2:';
  store.pathname = `/${database}`;
  const port = await freePort();
  const artifacts = await mkdtemp(path.join(os.tmpdir(), 'modelhub-bench-mlflow-'));
  // Its own process group: `mlflow server` forks uvicorn/gunicorn workers, all stopped together.
  const child: ChildProcess = spawn(
    path.join(MLFLOW_VENV, 'bin/mlflow'),
    ['server', '--backend-store-uri', store.toString(), '--default-artifact-root', `file://${artifacts}`,
      '--host', '127.0.0.1', '--port', String(port), '--workers', String(workers)],
    // Job execution (huey consumers for GenAI jobs, ~220 MiB each) serves nothing the registry needs.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } },
  );
  const tail: string[] = [];
  keepTail(child, tail);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    // Workers may outlive the parent by a moment; the group is gone once the kill returns ESRCH.
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(-child.pid!, 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch {
        break;
      }
    }
    const again = new Client({ connectionString: adminUrl });
    await again.connect();
    await again.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).finally(() => again.end());
    await rm(artifacts, { recursive: true, force: true });
  };
  try {
    await waitUntil(child, 'mlflow server', async () => (await fetch(`${url}/health`)).ok, 240_000, tail);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, url, stderrTail: tail, database, stop };
}

async function call(url: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/api/2.0/mlflow/${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`MLflow ${route}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

/** Register model + create its first version: MLflow's two REST calls. */
export async function mlflowRegister(url: string, name: string, tags: Record<string, string>): Promise<void> {
  await mlflowCreateModel(url, name, tags);
  await mlflowFirstVersion(url, name);
}

export async function mlflowCreateModel(url: string, name: string, tags: Record<string, string>): Promise<void> {
  await call(url, 'POST', 'registered-models/create', { name, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
}

export async function mlflowFirstVersion(url: string, name: string): Promise<void> {
  await call(url, 'POST', 'model-versions/create', { name, source: `s3://bench/${name}/1` });
}

export async function mlflowAddVersion(url: string, name: string): Promise<void> {
  await call(url, 'POST', 'model-versions/create', { name, source: `s3://bench/${name}/2` });
}

/** The first `first` registered models carrying a tag, each with its latest versions (MLflow's page). */
export async function mlflowTagPage(url: string, tag: string, first: number): Promise<number> {
  const filter = encodeURIComponent(`tags.\`${tag}\` = 'yes'`);
  const body = (await call(url, 'GET', `registered-models/search?filter=${filter}&max_results=${first}`)) as {
    registered_models?: { latest_versions?: unknown[] }[];
  };
  const models = body.registered_models ?? [];
  if (models.some((m) => !m.latest_versions?.length)) throw new Error('MLflow returned a model without versions');
  return models.length;
}
