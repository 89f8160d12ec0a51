import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { runSandboxed, sandboxAvailable } from '../../src/evaluation/code-sandbox';

const limits = { wallMs: 8000, cpuSeconds: 3, memoryBytes: 256 * 1024 * 1024, processes: 16, fileBytes: 1024 * 1024 };

function nobodyProcesses(): number {
  try {
    return execFileSync('pgrep', ['-u', '65534'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

// Hostile completions of a code task: each must fail inside the sandbox and leave no trace outside it.
// Never skipped: without what the sandbox needs the tests fail, saying so.
describe('code task sandbox', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    if (!sandboxAvailable()) throw new Error('the code-task sandbox needs Linux and root (unshare, prlimit from util-linux): run the tests as root, as .ci/run does');
    server = http.createServer((_req, res) => { hits += 1; res.end('reached'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('runs ordinary code and its tests, and may write in its own folder', async () => {
    const result = await runSandboxed('def add(a, b):\n    return a + b\nassert add(2, 3) == 5\nopen("scratch.txt", "w").write("ok")\nprint("passed")\n', limits);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.stdout.trim()).toBe('passed');
  });

  it('has no network: not even the host’s loopback services', async () => {
    const result = await runSandboxed(
      `import urllib.request\nurllib.request.urlopen("http://127.0.0.1:${port}/", timeout=2).read()\nprint("LEAKED")\n`,
      limits,
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).not.toContain('LEAKED');
    expect(hits).toBe(0);
  });

  it('cannot write outside its folder', async () => {
    const names = [path.join(os.tmpdir(), `escape-${randomBytes(4).toString('hex')}`), `/root/escape-${randomBytes(4).toString('hex')}`, `/dev/shm/escape-${randomBytes(4).toString('hex')}`];
    const program = names.map((n) => `try:\n    open(${JSON.stringify(n)}, "w").write("x")\n    print("WROTE ${n}")\nexcept OSError as e:\n    print("denied", e.errno)\n`).join('');
    const result = await runSandboxed(program, limits);
    expect(result.stdout).not.toContain('WROTE');
    expect(result.stdout.match(/denied/g)).toHaveLength(3);
    for (const n of names) expect(existsSync(n)).toBe(false);
  });

  it('contains a fork bomb and leaves no process behind', async () => {
    const started = Date.now();
    const result = await runSandboxed('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n', limits);
    expect(result.exitCode === 0).toBe(false);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 2000);
    expect(nobodyProcesses()).toBe(0);
  });

  it('bounds memory and CPU time', async () => {
    const memory = await runSandboxed('x = bytearray(1024 * 1024 * 1024)\nprint("ALLOCATED")\n', limits);
    expect(memory.stdout).not.toContain('ALLOCATED');
    expect(memory.stderr).toMatch(/MemoryError/);
    const started = Date.now();
    const spin = await runSandboxed('while True:\n    pass\n', limits);
    expect(spin.exitCode === 0).toBe(false);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 1000);
  });
});
