import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startTemporalDevServer } from '../../src/temporal/dev-server';
import { listenerOnPort, processAlive } from '../../src/system/process-probe';
import { startEntry } from '../support/entry-process';
import { freePort } from '../support/free-port';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelhub-devserver-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('after kill -9 of the process that started it, the next start stops the orphaned dev server on its port and starts afresh', async () => {
  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.db');
  const dev = startEntry('test/support/dev-server-child.ts', { DEV_PORT: String(port), DEV_DB: dbFile });
  await dev.waitFor(/^ready /, 90_000);
  const orphan = await listenerOnPort(port);
  expect(orphan?.args).toContain('start-dev');
  dev.child.kill('SIGKILL');
  await dev.exited;
  expect(processAlive(orphan!.pid)).toBe(true); // still holding the port

  const notices: string[] = [];
  const server = await startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH ?? null, port, uiPort: 0, dbFile, headless: true, notice: (line) => notices.push(line) });
  try {
    expect(notices).toEqual([expect.stringContaining(`stopping an orphaned Temporal dev server left by an earlier run on port ${port}: pid ${orphan!.pid}`)]);
    expect(processAlive(orphan!.pid)).toBe(false);
    const connection = await Connection.connect({ address: server.address });
    await connection.workflowService.getSystemInfo({});
    await connection.close();
  } finally {
    await server.stop();
  }
}, 150_000);

test('a port held by anything else is named with its process, and left alone', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await expect(
      startTemporalDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH ?? null, port, uiPort: 0, dbFile: path.join(dir, 'other.db'), headless: true }),
    ).rejects.toThrow(new RegExp(`port ${port} is in use by pid ${process.pid} \\(.*node.*\\)\\. Stop that process, or set TEMPORAL_DEV_PORT`));
    expect(blocker.listening).toBe(true);
  } finally {
    blocker.close();
  }
});
