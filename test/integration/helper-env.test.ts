import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../src/persistence/embedded-postgres';
import { type DevServer, startTemporalDevServer } from '../../src/temporal/dev-server';
import { startTestClamd, type TestClamd } from '../support/clamd-server';
import { freePort } from '../support/free-port';

// The service's secrets, set in this process as a deployment sets them: none of the helpers it starts may see them.
const CANARY = `canary-${randomBytes(12).toString('hex')}`;
const SECRETS = ['HF_TOKEN', 'SECRETS_KEY', 'AWS_SECRET_ACCESS_KEY', 'JWT_SECRET', 'METRICS_TOKEN'];
const saved = new Map(SECRETS.map((name) => [name, process.env[name]]));
let root: string;
let postgres: EmbeddedPostgres | null = null;
let temporal: DevServer | null = null;
let clamd: TestClamd | null = null;

beforeAll(async () => {
  for (const name of SECRETS) process.env[name] = `${name}-${CANARY}`;
  root = await mkdtemp(path.join(os.tmpdir(), 'modelhub-helper-env-'));
  await chmod(root, 0o755); // as root, the server runs as the `postgres` user and must reach its folder
  postgres = await startEmbeddedPostgres({ dataDir: path.join(root, 'pg'), port: await freePort(), database: 'postgres' });
  temporal = await startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH ?? null, port: await freePort(), uiPort: 0, headless: true, toolsDir: path.resolve(__dirname, '../../.tools') });
  clamd = await startTestClamd();
}, 180_000);

afterAll(async () => {
  await Promise.all([postgres?.stop(), temporal?.stop(), clamd?.stop()]);
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (root) await rm(root, { recursive: true, force: true });
});

interface Seen {
  pid: number;
  command: string;
  environ: string[];
}

async function processes(): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [command, environ] = await Promise.all([readFile(`/proc/${entry}/cmdline`), readFile(`/proc/${entry}/environ`)]);
      seen.push({ pid: Number(entry), command: command.toString('utf8').split('\0').join(' ').trim(), environ: environ.toString('utf8').split('\0').filter(Boolean) });
    } catch {
      // ended meanwhile
    }
  }
  return seen;
}

test('the embedded PostgreSQL, the Temporal dev server and clamd start without the service\'s secrets in their environment', async () => {
  const all = await processes();
  const helpers = {
    postgres: all.filter((p) => p.pid === postgres!.pid),
    temporal: all.filter((p) => p.command.includes('start-dev') && p.command.includes(`--port ${temporal!.address.split(':')[1]}`)),
    clamd: all.filter((p) => /clamd -c /.test(p.command) && p.command.includes(os.tmpdir()) && p.environ.length > 0),
  };
  for (const [name, found] of Object.entries(helpers)) {
    expect({ name, running: found.length > 0 }).toEqual({ name, running: true });
    for (const helper of found) {
      expect({ name, leaked: helper.environ.filter((line) => line.includes(CANARY)) }).toEqual({ name, leaked: [] });
      // What it needs to find its programs is still there.
      expect(helper.environ.some((line) => line.startsWith('PATH='))).toBe(true);
    }
  }
});
