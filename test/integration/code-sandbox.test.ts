import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runSandboxed, type SandboxLimits, sandboxAvailable } from '../../src/evaluation/code-sandbox';

const limits: SandboxLimits = { wallMs: 8000, cpuSeconds: 3, memoryBytes: 256 * 1024 * 1024, processes: 16, fileBytes: 1024 * 1024, workBytes: 8 * 1024 * 1024 };
const unique = () => randomBytes(4).toString('hex');

/**
 * This process's descendants that are the sandbox's (bwrap, prlimit, python), with their owner as the host sees it:
 * whatever a contained program leaves running is among them, since its PID namespace hangs below our bwrap.
 */
function sandboxProcesses(): { pid: number; uid: string }[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const stat = readProc(`/proc/${entry}/stat`);
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
  }
  const below = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (below.has(parent) && !below.has(pid)) { below.add(pid); grew = true; }
    }
  }
  return [...below]
    .filter((pid) => /^(bwrap|prlimit|python3(\.\d+)?)$/.test(names.get(pid) ?? ''))
    .map((pid) => ({ pid, uid: /^Uid:\s+(\d+)/m.exec(readProc(`/proc/${pid}/status`))?.[1] ?? '?' }));
}

function readProc(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the process ended meanwhile
  }
}

/** Never skipped: without what the sandbox needs the tests fail, saying what to install or allow. */
export function requireSandboxTools(): void {
  const missing: string[] = [];
  if (spawnSync('bwrap', ['--version']).status !== 0) missing.push('bubblewrap (apt-get install bubblewrap)');
  if (spawnSync('prlimit', ['--version']).status !== 0 || spawnSync('setpriv', ['--version']).status !== 0) missing.push('util-linux (prlimit, setpriv)');
  if (!existsSync('/usr/bin/python3')) missing.push('python3 (apt-get install python3)');
  if (missing.length) throw new Error(`the code-task sandbox tests need ${missing.join(', ')}`);
  if (!sandboxAvailable()) {
    throw new Error('bwrap cannot create its namespaces here as an unprivileged user: allow unprivileged user namespaces ' +
      '(sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where it exists; in Docker a seccomp profile allowing CLONE_NEWUSER)');
  }
}

describe('code sandbox (bubblewrap, started unprivileged)', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    requireSandboxTools();
    server = http.createServer((_req, res) => { hits += 1; res.end('reached'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  it('runs ordinary code and writes in its own folder, as an unprivileged user with no capabilities', async () => {
    const pending = runSandboxed([
      'def add(a, b):\n    return a + b\nassert add(2, 3) == 5',
      'open("scratch.txt", "w").write("ok")',
      'import os, time',
      'print(os.getuid(), [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")])',
      'time.sleep(1.5)',
    ].join('\n'), limits);
    // Seen from the host while it runs: the sandbox's processes belong to nobody (tests run as root) or to this user.
    let owners: string[] = [];
    for (let i = 0; i < 40 && !owners.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      owners = sandboxProcesses().map((p) => p.uid);
    }
    const result = await pending;
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, stderr: '' });
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set([process.getuid?.() === 0 ? '65534' : String(process.getuid?.())]));
    expect(result.stdout.trim()).toBe(`${process.getuid?.() === 0 ? 65534 : process.getuid?.()} ['0000000000000000']`);
  });

  it('has no network: not even the host’s loopback services', async () => {
    const result = await runSandboxed(`import urllib.request\nurllib.request.urlopen("http://127.0.0.1:${port}/", timeout=2).read()\nprint("LEAKED")\n`, limits);
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).not.toContain('LEAKED');
    expect(result.stderr).toMatch(/Connection refused|Network is unreachable/);
    expect(hits).toBe(0);
  });

  it('cannot write outside its folder, nor fill its folder past its size', async () => {
    const names = [path.join(os.tmpdir(), `escape-${unique()}`), `/root/escape-${unique()}`, `/dev/shm/escape-${unique()}`, `/usr/escape-${unique()}`, `/escape-${unique()}`];
    const program = names.map((n) => `try:\n    open(${JSON.stringify(n)}, "w").write("x")\n    print("WROTE ${n}")\nexcept OSError as e:\n    print("denied", e.errno)\n`).join('') +
      'import os\ntry:\n    for i in range(20):\n        open(f"f{i}", "wb").write(b"x" * 1000000)\n    print("FILLED")\nexcept OSError as e:\n    print("full", e.errno)\n';
    const result = await runSandboxed(program, limits);
    expect(result.stdout).not.toMatch(/WROTE|FILLED/);
    expect(result.stdout.match(/denied/g)).toHaveLength(names.length);
    expect(result.stdout).toMatch(/full 28/); // ENOSPC: the work dir is an 8 MiB tmpfs
    for (const n of names) expect(existsSync(n)).toBe(false);
  });

  it('contains a fork bomb and leaves no process behind', async () => {
    const started = Date.now();
    const result = await runSandboxed(`import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n`, limits);
    expect(result.exitCode === 0).toBe(false);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 2000);
    expect(sandboxProcesses()).toEqual([]);
  });

  it('bounds memory, file size, CPU time and wall-clock time', async () => {
    const memory = await runSandboxed('x = bytearray(1024 * 1024 * 1024)\nprint("ALLOCATED")\n', limits);
    expect(memory.stdout).not.toContain('ALLOCATED');
    expect(memory.stderr).toMatch(/MemoryError/);
    const big = await runSandboxed('open("big", "wb").write(b"x" * 2000000)\nprint("WRITTEN")\n', limits);
    expect(big.stdout).not.toContain('WRITTEN');
    expect(big.stderr).toMatch(/File too large/);
    let started = Date.now();
    const spin = await runSandboxed('while True:\n    pass\n', limits);
    // SIGXCPU at 3 s of CPU (exit 128 + 9), or the wall clock on a machine too busy to give it 3 s in 8.
    expect(spin.exitCode === 128 + 9 || spin.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(limits.wallMs + 2000);
    started = Date.now();
    const sleeper = await runSandboxed('import time\ntime.sleep(60)\n', { ...limits, wallMs: 1500 });
    expect(sleeper.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
