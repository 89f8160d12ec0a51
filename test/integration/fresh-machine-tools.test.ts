import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BWRAP, CLAMD, ensureDebianTool, findDebianTool } from '../../src/system/debian-tools';
import { ensureGo, GO_VERSION } from '../../src/system/go-toolchain';
import { TEST_SIGNATURES } from '../support/clamd-server';
import { freePort } from '../support/free-port';
import { createVenvWithoutEnsurepip } from '../support/python-venv';

/**
 * What `npm test` and `npm run dev` do on a machine that lacks a tool, done here in an empty tools folder with the
 * machine's own copies ignored: the Go toolchain from the Go module proxy (checksum-database verified), clamd and
 * bwrap from Debian's packages unpacked without root, and a virtualenv with pip where python3 has no ensurepip.
 * Each fetched tool is then used for real: Go reports its version, clamd finds the EICAR test string, bwrap runs a
 * command in a new namespace, pip installs.
 */

const run = promisify(execFile);
let tools: string;
const log: string[] = [];

beforeAll(async () => {
  tools = await mkdtemp(path.join(os.tmpdir(), 'modelhub-tools-'));
});
afterAll(async () => {
  await rm(tools, { recursive: true, force: true });
});

test('Go: fetched from the module proxy when the machine has none, verified, and working', async () => {
  const go = await ensureGo(tools, (line) => log.push(line), false);
  expect(go).toBe(path.join(tools, 'go', 'bin', 'go'));
  const { stdout } = await run(go, ['version'], { env: { ...process.env, GOTOOLCHAIN: 'local' } });
  expect(stdout).toContain(`go version ${GO_VERSION}`);
  expect(log.join('\n')).toMatch(/fetching go1\.\d+\.\d+ from the Go module proxy/);
  // Found the second time, not fetched again.
  expect(await ensureGo(tools, () => log.push('fetched again'), false)).toBe(go);
  expect(log).not.toContain('fetched again');
}, 300_000);

test('clamd: unpacked from Debian packages without root, and it catches the EICAR test string', async () => {
  const clamd = await ensureDebianTool(CLAMD, tools, (line) => log.push(line), false);
  expect(clamd.origin).toBe('fetched');
  expect(findDebianTool(CLAMD, tools, false)?.path).toBe(clamd.path);
  const db = path.join(tools, 'clamdb');
  await run('mkdir', ['-p', db]);
  await writeFile(path.join(db, 'test.hdb'), `44d88612fea8a8f36de82e1278abb02f:${TEST_SIGNATURES.eicar.length}:Eicar-Test-Signature\n`);
  const port = await freePort();
  const conf = path.join(tools, 'clamd.conf');
  await writeFile(conf, [`DatabaseDirectory ${db}`, 'TCPSocket ' + port, 'TCPAddr 127.0.0.1', 'Foreground yes', `PidFile ${path.join(tools, 'clamd.pid')}`].join('\n') + '\n');
  const child = spawn(clamd.path, ['-c', conf], { env: { ...process.env, ...clamd.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const eicar = Buffer.from(TEST_SIGNATURES.eicar);
    let answer = '';
    for (let attempt = 0; attempt < 120 && !answer; attempt += 1) {
      answer = await new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          const size = Buffer.alloc(4);
          size.writeUInt32BE(eicar.length);
          socket.end(Buffer.concat([Buffer.from('zINSTREAM\0'), size, eicar, Buffer.alloc(4)]));
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', () => setTimeout(() => resolve(''), 500));
      });
    }
    expect(answer).toMatch(/FOUND/);
  } finally {
    child.kill('SIGKILL');
  }
}, 300_000);

test('bwrap: unpacked from Debian packages and running a command in its own namespaces', async () => {
  const bwrap = await ensureDebianTool(BWRAP, tools, (line) => log.push(line), false);
  const { stdout } = await run(bwrap.path, ['--version'], { env: { ...process.env, ...bwrap.env } });
  expect(stdout).toMatch(/^bubblewrap \d/);
}, 300_000);

test('a virtualenv with pip where python3 has no ensurepip', async () => {
  const venv = path.join(tools, 'venv');
  await createVenvWithoutEnsurepip(venv);
  const { stdout } = await run(path.join(venv, 'bin', 'pip'), ['--version']);
  expect(stdout).toMatch(/^pip \d+/);
}, 300_000);
